using Augur.Backends;
using Augur.Tensors;

namespace Augur.Workers.Tests;

/// <summary>Bit-exact comparisons of batch results.</summary>
internal static class Same
{
    /// <summary>Both succeeded with the same outputs: names, datatypes, shapes and every byte of data.</summary>
    public static void Outputs(BatchResult expected, BatchResult actual)
    {
        Assert.Null(expected.Error);
        Assert.Null(actual.Error);
        Assert.Equal(expected.Outputs!.Count, actual.Outputs!.Count);
        for (var r = 0; r < expected.Outputs.Count; r++)
        {
            Assert.Equal(expected.Outputs[r].Count, actual.Outputs[r].Count);
            for (var o = 0; o < expected.Outputs[r].Count; o++)
            {
                Tensor(expected.Outputs[r][o], actual.Outputs[r][o]);
            }
        }
    }

    public static void Tensor(InferenceTensor expected, InferenceTensor actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.DataType, actual.DataType);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        Assert.Equal(expected.Data.ToArray(), actual.Data.ToArray());
    }
}
