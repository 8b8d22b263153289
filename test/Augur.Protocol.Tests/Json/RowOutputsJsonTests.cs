using Augur.Models;
using Augur.Protocol.Json;
using Augur.Tensors;

namespace Augur.Protocol.Tests.Json;

/// <summary>The stored form of one row's outputs: what the writer writes the reader reads back to the same tensors.</summary>
public sealed class RowOutputsJsonTests
{
    private static readonly TensorSpec[] Specs =
    [
        new("half", DataType.Fp16, [1, 3]),
        new("ids", DataType.UInt64, [1, 2]),
        new("label", DataType.Bytes, [1, -1]),
        new("flag", DataType.Bool, [1, 1]),
    ];

    [Fact]
    public void A_row_cut_from_a_batch_reads_back_to_the_same_bytes_in_the_order_asked()
    {
        var batch = new[]
        {
            InferenceTensor.Create("half", new[] { (Half)0.1f, Half.NaN, Half.NegativeInfinity, (Half)65504, Half.PositiveInfinity, Half.Epsilon }, 2, 3),
            InferenceTensor.Create("ids", new[] { 1UL, 2UL, ulong.MaxValue, 1UL << 63 }, 2, 2),
            InferenceTensor.CreateStrings("label", ["a", "b", "ü\"", "d"], 2, 2),
            InferenceTensor.Create("flag", new[] { true, false }, 2, 1),
        };

        var json = RowOutputsJson.Write(batch, 1, 2);
        var read = RowOutputsJson.Read(json, [Specs[3], Specs[0], Specs[1], Specs[2]], out var problem);

        Assert.Null(problem);
        Assert.Equal("""{"half":[65504,"Infinity",5.9604645E-08],"ids":[18446744073709551615,9223372036854775808],"label":["ü\"","d"],"flag":[false]}""", json);
        Assert.Equal(["flag", "half", "ids", "label"], read.Select(t => t.Name));
        Assert.Equal([false], read[0].ToArray<bool>());
        Assert.Equal(batch[0].Data.Span[6..].ToArray(), read[1].Data.ToArray());
        Assert.Equal([ulong.MaxValue, 1UL << 63], read[2].ToArray<ulong>());
        Assert.Equal(["ü\"", "d"], read[3].ToStrings());
        Assert.Equal([1L, 2L], read[3].Shape.ToArray()); // the variable dimension sized from the data
    }

    [Fact]
    public void Outputs_the_row_lacks_are_left_out_without_a_problem()
    {
        var read = RowOutputsJson.Read("""{"flag":[true]}""", Specs, out var problem);

        Assert.Null(problem);
        Assert.Equal("flag", Assert.Single(read).Name);
    }

    [Theory]
    [InlineData("""{"ids":[1]}""", "stored output 'ids': the shape needs 2 elements but data has 1")]
    [InlineData("""{"ids":[1,-2]}""", "stored output 'ids': ")]
    [InlineData("""{"ids":"1,2"}""", "stored output 'ids': data must be a JSON array, not the string \"1,2\"")]
    [InlineData("""{"label":[["a"],["b"]]}""", "stored output 'label': the stored data cannot size the variable dimensions of [1,-1]")]
    [InlineData("""[1]""", "the stored outputs must be a JSON object, not an array")]
    [InlineData("""{"ids":""", "the stored outputs are not JSON: ")]
    public void A_row_that_does_not_fit_is_left_out_and_says_why(string json, string problemStart)
    {
        var read = RowOutputsJson.Read(json, Specs, out var problem);

        Assert.Empty(read);
        Assert.NotNull(problem);
        Assert.StartsWith(problemStart, problem, StringComparison.Ordinal);
    }
}
