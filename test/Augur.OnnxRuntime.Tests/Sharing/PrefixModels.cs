using Augur.Inference;
using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;
using Augur.Testing;

namespace Augur.OnnxRuntime.Tests.Sharing;

/// <summary>
/// Models that begin alike, for the tests of shared prefixes: <see cref="TenantModels"/>' frozen encoder under heads of
/// their own, and variants whose common part cannot or should not be shared.
/// </summary>
internal static class PrefixModels
{
    /// <summary>y = Relu(x · encoder) · head + bias, with <paramref name="bias"/> an input of its own ([-1, 2]) when set.</summary>
    public static byte[] Tenant(float[] encoder, int head, bool biasInput = false)
    {
        var builder = new OnnxGraphBuilder("tenant").AddInput("x", DataType.Fp32, -1, TenantModels.Width);
        if (biasInput)
        {
            builder.AddInput("bias", DataType.Fp32, -1, TenantModels.Outputs);
        }

        builder.AddOutput("y", DataType.Fp32, -1, TenantModels.Outputs);
        var enc = builder.AddInitializer("encoder", encoder, TenantModels.Width, TenantModels.Width);
        var top = builder.AddInitializer("head", TenantModels.Head(head), TenantModels.Width, TenantModels.Outputs);
        builder.AddNode("MatMul", ["x", enc], ["hidden"]).AddNode("Relu", ["hidden"], ["active"]);
        return biasInput
            ? builder.AddNode("MatMul", ["active", top], ["scores"]).AddNode("Add", ["scores", "bias"], ["y"]).ToBytes()
            : builder.AddNode("MatMul", ["active", top], ["y"]).ToBytes();
    }

    /// <summary>
    /// As <see cref="Tenant"/> without the Relu, but the encoder's output is flattened to one dimension and scaled by a
    /// factor of the head's before its rows are made again: what the models have in common ends at a tensor whose rows
    /// are not the inputs' rows.
    /// </summary>
    public static byte[] Flattening(float[] encoder, int head)
    {
        var builder = new OnnxGraphBuilder("flattening")
            .AddInput("x", DataType.Fp32, -1, TenantModels.Width)
            .AddOutput("y", DataType.Fp32, -1, TenantModels.Outputs);
        var enc = builder.AddInitializer("encoder", encoder, TenantModels.Width, TenantModels.Width);
        var top = builder.AddInitializer("head", TenantModels.Head(head), TenantModels.Width, TenantModels.Outputs);
        var flat = builder.AddInitializer("flat", [-1L], 1);
        var rows = builder.AddInitializer("rows", [-1L, TenantModels.Width], 2);
        var factor = builder.AddInitializer("factor", [1 + (head * 0.5f)], 1);
        return builder
            .AddNode("MatMul", ["x", enc], ["hidden"])
            .AddNode("Reshape", ["hidden", flat], ["flattened"])
            .AddNode("Mul", ["flattened", factor], ["scaled"])
            .AddNode("Reshape", ["scaled", rows], ["unflattened"])
            .AddNode("MatMul", ["unflattened", top], ["y"])
            .ToBytes();
    }

    /// <summary>y = Σ table[ids] · head: ids INT64 [-1, 2] looked up in the encoder's 64×64 values as a table, then a head of its own.</summary>
    public static byte[] Lookup(float[] encoder, int head)
    {
        var builder = new OnnxGraphBuilder("lookup")
            .AddInput("ids", DataType.Int64, -1, 2)
            .AddOutput("y", DataType.Fp32, -1, TenantModels.Outputs);
        var table = builder.AddInitializer("table", encoder, TenantModels.Width, TenantModels.Width);
        var top = builder.AddInitializer("head", TenantModels.Head(head), TenantModels.Width, TenantModels.Outputs);
        var axes = builder.AddInitializer("axes", [1L], 1);
        return builder
            .AddNode("Gather", [table, "ids"], ["rows"], OnnxAttribute.Int("axis", 0))
            .AddNode("ReduceSum", ["rows", axes], ["bag"], OnnxAttribute.Int("keepdims", 0))
            .AddNode("MatMul", ["bag", top], ["y"])
            .ToBytes();
    }

    /// <summary>Three rows for <see cref="Tenant"/> (with the bias input when <paramref name="biasInput"/>), varied by <paramref name="seed"/>.</summary>
    public static InferenceRequest Request(string model, int seed = 0, bool biasInput = false)
    {
        var x = InferenceTensor.Create("x", Enumerable.Range(0, 3 * TenantModels.Width).Select(i => MathF.Sin((i * 0.37f) + seed)).ToArray(), 3, TenantModels.Width);
        return biasInput
            ? new(model, [x, InferenceTensor.Create("bias", Enumerable.Range(0, 3 * TenantModels.Outputs).Select(i => i - 2.5f).ToArray(), 3, TenantModels.Outputs)])
            : new(model, [x]);
    }
}
