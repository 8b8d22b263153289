using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net.Sockets;
using Augur.Server;

namespace Augur.Cli.Commands.Serve;

/// <summary>
/// Where every start-up failure of <c>augur serve</c> ends: one line on stderr, <c>augur serve: &lt;setting or option&gt;:
/// &lt;problem&gt;; &lt;fix&gt;</c>, and exit code 2; never a stack trace. The wording of each failure that is not a setting's
/// own check (a port that cannot be bound, a command line that does not parse) lives here too.
/// </summary>
internal static class StartupFailure
{
    public const int ExitCode = 2;

    /// <summary>Prints <paramref name="problem"/> as one line and returns <see cref="ExitCode"/>.</summary>
    public static int Report(string problem)
    {
        // Messages quoted from elsewhere (a certificate loader, a JSON reader) may hold line breaks; the report is one line.
        var line = string.Join(' ', problem.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Console.Error.WriteLine($"augur serve: {line}");
        return ExitCode;
    }

    /// <summary>Why an endpoint could not listen, naming the option that chose its address or port.</summary>
    public static string Describe(EndpointBindException failure, ServeSettings settings)
    {
        var (option, port) = failure.Endpoint == ServerEndpoint.Rest ? ("--http-port", settings.HttpPort) : ("--grpc-port", settings.GrpcPort);
        return failure.Error switch
        {
            SocketError.AddressAlreadyInUse =>
                $"{option} {port}: address {failure.Address} is already in use; stop the other process or pick another port ({option} 0 picks a free one)",
            SocketError.AddressNotAvailable =>
                $"--host {settings.Host}: {settings.Host} is not an address of this machine; give one of its addresses, 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces)",
            SocketError.AccessDenied =>
                $"{option} {port}: listening on {failure.Address} is not permitted (ports below 1024 need privileges); pick a port from 1024 up ({option} 0 picks a free one)",
            SocketError.AddressFamilyNotSupported =>
                $"--host {settings.Host}: this machine does not support {failure.Address.AddressFamily} addresses; give another address, such as 0.0.0.0",
            _ => $"{option} {port}: {failure.Message}; check --host and {option}",
        };
    }

    /// <summary>The first error of a command line that did not parse, e.g. <c>--http-port 'abc': expected a whole number</c>.</summary>
    public static string Describe(ParseResult parse)
    {
        var error = parse.Errors[0];
        var option = error.SymbolResult switch
        {
            OptionResult result => result,
            ArgumentResult { Parent: OptionResult result } => result,
            _ => null,
        };
        return option is { Tokens.Count: > 0 }
            ? $"{option.Option.Name} '{string.Join(' ', option.Tokens.Select(t => t.Value))}': expected {Expected(option.Option.ValueType)}; see augur serve --help"
            : $"{error.Message.TrimEnd('.')}; see augur serve --help";
    }

    /// <summary>What a value of <paramref name="type"/> looks like, for "'x' is not ..." and "expected ..." messages.</summary>
    public static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant())),
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
            _ when type.IsPrimitive => "a whole number",
            _ => "a value of type " + type.Name,
        };
    }
}
