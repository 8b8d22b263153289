namespace Augur.Batch.Tests;

public sealed class DependencyTests
{
    [Fact]
    public void Batch_references_no_AspNetCore_and_no_ONNX_Runtime_assembly()
    {
        var references = typeof(BatchJob).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.Contains("Augur.Core", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
    }
}
