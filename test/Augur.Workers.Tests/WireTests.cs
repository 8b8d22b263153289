using System.Net;
using Augur.Errors;
using Augur.Tensors;
using Augur.Workers.Wire;
using WireDataType = Augur.Workers.Protocol.DataType;
using WireErrorCode = Augur.Workers.Protocol.ErrorCode;

namespace Augur.Workers.Tests;

/// <summary>The protocol's enums and endpoint text agree with Augur's types, value for value.</summary>
public sealed class WireTests
{
    [Fact]
    public void Every_datatype_has_the_same_number_on_the_wire()
    {
        foreach (var type in Enum.GetValues<DataType>())
        {
            Assert.Equal(type.ToString(), ((WireDataType)(int)type).ToString(), ignoreCase: true);
        }

        Assert.Equal(Enum.GetValues<DataType>().Length, Enum.GetValues<WireDataType>().Length);
    }

    [Fact]
    public void Every_error_code_goes_over_the_wire_and_back()
    {
        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            var wire = WireErrors.ToWire(new InferenceError(code, "m"));
            Assert.Equal(code.ToString(), wire.Code.ToString());
            Assert.Equal(new InferenceError(code, "m"), WireErrors.FromWire(wire));
        }

        Assert.Equal(ErrorCode.Internal, WireErrors.FromWire(new Protocol.Error { Code = WireErrorCode.Unspecified, Message = "m" }).Code);
        Assert.Equal(ErrorCode.Internal, WireErrors.FromWire(new Protocol.Error { Code = (WireErrorCode)42, Message = "m" }).Code);
    }

    [Theory]
    [InlineData("unix:/tmp/augur/w.sock")]
    [InlineData("http://127.0.0.1:5005")]
    [InlineData("http://[::1]:5005")]
    public void Endpoints_print_as_they_parse(string text)
    {
        Assert.True(WorkerEndpoint.TryParse(text, out var endpoint, out var problem), problem);
        Assert.Equal(text, endpoint.ToString());
    }

    [Fact]
    public void Endpoints_say_what_they_are()
    {
        var unix = WorkerEndpoint.UnixSocket("/tmp/w.sock");
        var tcp = WorkerEndpoint.Tcp(IPAddress.Loopback, 7);

        Assert.Equal((true, "/tmp/w.sock", 0), (unix.IsUnixSocket, unix.SocketPath, unix.Port));
        Assert.Equal((false, IPAddress.Loopback, 7), (tcp.IsUnixSocket, tcp.Address, tcp.Port));
        Assert.Equal(WorkerEndpoint.UnixSocket("/tmp/w.sock"), unix);
    }

    [Theory]
    [InlineData("unix:relative/w.sock", "'unix:relative/w.sock': a worker's socket path must be absolute")]
    [InlineData("tcp://127.0.0.1:5", "'tcp://127.0.0.1:5' is not a worker endpoint: expected unix:/absolute/path or http://address:port")]
    [InlineData("http://localhost:5", "'http://localhost:5' is not a worker endpoint: expected unix:/absolute/path or http://address:port")]
    public void Text_that_is_not_an_endpoint_is_refused_with_the_reason(string text, string expected)
    {
        Assert.False(WorkerEndpoint.TryParse(text, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void A_socket_path_too_long_for_a_unix_address_is_refused()
    {
        var path = "/tmp/" + new string('a', 103);

        var failure = Assert.Throws<ArgumentException>(() => WorkerEndpoint.UnixSocket(path));

        Assert.StartsWith($"the socket path '{path}' is 108 bytes long; a Unix socket path holds at most 107", failure.Message);
        Assert.Null(WorkerEndpoint.CheckSocketPath(path[..^1]));
    }
}
