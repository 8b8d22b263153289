namespace Augur.OnnxRuntime.Sharing;

/// <summary>What a <see cref="SharedInitializerStore"/> holds at one moment.</summary>
/// <param name="Count">Distinct initializers held.</param>
/// <param name="HeldBytes">Their bytes, each counted once.</param>
/// <param name="SavedBytes">Bytes not held because models share them: the sum over leases of each entry's bytes, less <paramref name="HeldBytes"/>.</param>
internal readonly record struct SharedWeightTotals(int Count, long HeldBytes, long SavedBytes);
