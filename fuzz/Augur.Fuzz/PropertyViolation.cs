namespace Augur.Fuzz;

/// <summary>
/// A decoder broke one of the properties the targets check (a wrong outcome, too much memory, a round trip that
/// changed the data). Like any other exception escaping a target, afl-fuzz records the input as a crash.
/// </summary>
internal sealed class PropertyViolation(string message) : Exception(message);
