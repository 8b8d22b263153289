using System.Text;
using Augur.Fuzz.Targets;

namespace Augur.Protocol.Tests.Fuzz;

/// <summary>How a json fuzz input carries the body and the Inference-Header-Content-Length value.</summary>
public sealed class JsonRequestInputTests
{
    [Theory]
    [InlineData("16\n{\"inputs\": []}", 16L, "{\"inputs\": []}")]
    [InlineData("0\n", 0L, "")]
    [InlineData("-1\nbody", -1L, "body")]
    [InlineData("9223372036854775807\nx", long.MaxValue, "x")]
    public void A_leading_line_of_digits_is_the_header_value(string input, long header, string body)
    {
        var (actualBody, actualHeader) = JsonRequestInput.Split(Encoding.UTF8.GetBytes(input));

        Assert.Equal(header, actualHeader);
        Assert.Equal(body, Encoding.UTF8.GetString(actualBody.Span));
    }

    [Theory]
    [InlineData("{\"inputs\": []}")]
    [InlineData("\n{}")]
    [InlineData("12a\n{}")]
    [InlineData("-\n{}")]
    [InlineData("99999999999999999999\n{}")]
    [InlineData("123456789012345678901\n{}")]
    public void Anything_else_is_a_body_without_the_header(string input)
    {
        var (body, header) = JsonRequestInput.Split(Encoding.UTF8.GetBytes(input));

        Assert.Null(header);
        Assert.Equal(input, Encoding.UTF8.GetString(body.Span));
    }

    [Fact]
    public void Join_is_the_inverse_of_split()
    {
        var input = JsonRequestInput.Join("{}\u0001\u0002"u8, 2);

        var (body, header) = JsonRequestInput.Split(input);

        Assert.Equal(2L, header);
        Assert.Equal("{}\u0001\u0002"u8.ToArray(), body.ToArray());
    }
}
