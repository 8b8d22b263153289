namespace Augur.Core.Tests;

public sealed class DependencyDirectionTests
{
    [Fact]
    public void Core_references_no_AspNetCore_gRPC_ONNX_Runtime_or_Redis_assembly()
    {
        var references = typeof(InferenceEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Grpc", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
        // The response cache's shared level is an IDistributedCache; Redis is plugged in by the host.
        Assert.DoesNotContain(references, name => name.Contains("Redis", StringComparison.Ordinal));
    }
}
