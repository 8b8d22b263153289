using System.Globalization;
using Augur.OnnxRuntime.Onnx;
using Augur.Tensors;

// Writes DIR/tenant_NN/1/model.onnx for N tenants: y = Relu(x · encoder) · head, x FP32 [-1, 1024], one frozen encoder
// of 1024×6144 FP32 (24 MiB, the same bytes in every file) and a head of 6144×1 per tenant (24 KiB, its own values).
// Each file is a separate export, as a hundred fine-tuned heads over one encoder would be. Also writes DIR/request.json,
// one row for any tenant. See docs/benchmarks/README.md ("Shared weights: how it runs").
const int Width = 1024;
const int Hidden = 6144;
if (args is not [var directory, var countText] || !int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var tenants) || tenants < 1)
{
    Console.Error.WriteLine("usage: Augur.TenantRepository DIR TENANTS   (writes DIR/tenant_00/1/model.onnx ... and DIR/request.json)");
    return 2;
}

var random = new Random(20261204);
var encoder = new float[Width * Hidden];
for (var i = 0; i < encoder.Length; i++)
{
    encoder[i] = (random.NextSingle() - 0.5f) / 32;
}

for (var tenant = 0; tenant < tenants; tenant++)
{
    var head = new float[Hidden];
    for (var i = 0; i < head.Length; i++)
    {
        head[i] = MathF.Sin(i + (tenant * 0.5f)) / 64;
    }

    var builder = new OnnxGraphBuilder($"tenant_{tenant}")
        .AddInput("x", DataType.Fp32, -1, Width)
        .AddOutput("y", DataType.Fp32, -1, 1);
    var enc = builder.AddInitializer("encoder", encoder, Width, Hidden);
    var top = builder.AddInitializer("head", head, Hidden, 1);
    builder.AddNode("MatMul", ["x", enc], ["hidden"]).AddNode("Relu", ["hidden"], ["active"]).AddNode("MatMul", ["active", top], ["y"]);
    builder.Save(Path.Combine(directory, $"tenant_{tenant:D2}", "1", "model.onnx"));
}

var row = string.Join(',', Enumerable.Range(0, Width).Select(i => MathF.Sin(i * 0.37f).ToString("R", CultureInfo.InvariantCulture)));
File.WriteAllText(Path.Combine(directory, "request.json"), $$"""{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, {{Width}}], "data": [{{row}}]}]}""");
Console.WriteLine($"wrote {tenants} tenant models to {directory}");
return 0;
