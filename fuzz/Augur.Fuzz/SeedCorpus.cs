using System.Buffers;
using System.Text;
using Augur.Fuzz.Targets;
using Augur.Models;
using Augur.Protocol.Grpc;
using Augur.Protocol.Json;
using Augur.Tensors;
using Google.Protobuf;

namespace Augur.Fuzz;

/// <summary>
/// The seed corpus: small valid requests for the fuzz model (<see cref="Engine.FuzzModel"/>), every datatype once,
/// both binary forms (the JSON binary extension, gRPC raw_input_contents), and near-misses that stop at each of the
/// decoders' checks; for the metadata reader, a model's metadata as the server writes it, and near-misses.
/// <c>Augur.Fuzz seed DIR</c> writes them; fuzz/corpus holds the committed copy.
/// </summary>
internal static class SeedCorpus
{
    private static readonly float[] Features = [0.5f, -1f, 2.25f, 0f];

    /// <summary>Each target's seeds, by target name.</summary>
    public static IEnumerable<(string Target, IEnumerable<(string Name, byte[] Bytes)> Seeds)> All() =>
    [
        (JsonRequestTarget.TargetName, JsonSeeds()),
        (GrpcRequestTarget.TargetName, GrpcSeeds()),
        (MetadataTarget.TargetName, MetadataSeeds()),
    ];

    public static void Write(string directory)
    {
        foreach (var (target, seeds) in All())
        {
            var folder = Path.Combine(directory, target);
            Directory.CreateDirectory(folder);
            foreach (var (name, bytes) in seeds)
            {
                File.WriteAllBytes(Path.Combine(folder, name), bytes);
            }
        }
    }

    public static IEnumerable<(string Name, byte[] Bytes)> JsonSeeds()
    {
        yield return Json("valid-flat.json", """
            {"id": "r1", "inputs": [
              {"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [0.5, -1, 2.25, 0]},
              {"name": "tokens", "datatype": "BYTES", "shape": [1, 2], "data": ["a", "bc"]}]}
            """);
        yield return Json("valid-nested-outputs.json", """
            {"id": "r2", "parameters": {"priority": 1, "timeout": 5000, "binary_data_output": false},
             "inputs": [
              {"name": "features", "datatype": "FP32", "shape": [2, 4], "data": [[1, 2, 3, 4], [5e-1, "NaN", "Infinity", -0.0]]},
              {"name": "tokens", "datatype": "BYTES", "shape": [2, 2], "data": [["x", "y"], ["\u00fc", ""]]}],
             "outputs": [{"name": "score", "parameters": {"binary_data": true}}, {"name": "label"}]}
            """);
        yield return Json("sequence.json", """
            {"parameters": {"sequence_id": 42, "sequence_start": true, "sequence_end": false},
             "inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]},
                        {"name": "tokens", "datatype": "BYTES", "shape": [1, 2], "data": ["a", "b"]}]}
            """);
        yield return Json("every-datatype.json", """
            {"inputs": [
              {"name": "b", "datatype": "BOOL", "shape": [2], "data": [true, false]},
              {"name": "u8", "datatype": "UINT8", "shape": [2], "data": [0, 255]},
              {"name": "u16", "datatype": "UINT16", "shape": [2], "data": [0, 65535]},
              {"name": "u32", "datatype": "UINT32", "shape": [2], "data": [0, 4294967295]},
              {"name": "u64", "datatype": "UINT64", "shape": [2], "data": [0, 18446744073709551615]},
              {"name": "i8", "datatype": "INT8", "shape": [2], "data": [-128, 127]},
              {"name": "i16", "datatype": "INT16", "shape": [2], "data": [-32768, 32767]},
              {"name": "i32", "datatype": "INT32", "shape": [2], "data": [-2147483648, 2147483647]},
              {"name": "i64", "datatype": "INT64", "shape": [2], "data": [-9223372036854775808, 9223372036854775807]},
              {"name": "f16", "datatype": "FP16", "shape": [2], "data": [65504, "-Infinity"]},
              {"name": "bf16", "datatype": "BF16", "shape": [2], "data": [1.5, "NaN"]},
              {"name": "f32", "datatype": "FP32", "shape": [2], "data": [3.4028235e38, 1e-45]},
              {"name": "f64", "datatype": "FP64", "shape": [2], "data": [-1e308, 5e-324]},
              {"name": "s", "datatype": "BYTES", "shape": [2], "data": ["", "text"]}]}
            """);
        yield return Json("scalar-and-empty.json", """
            {"inputs": [{"name": "s", "datatype": "INT64", "shape": [], "data": [7]},
                        {"name": "e", "datatype": "FP32", "shape": [0, 4], "data": []}],
             "outputs": []}
            """);

        var tokens = BytesElements.Encode(["one", "two"]);
        yield return Binary("valid-binary.bin", $$$"""
            {"inputs": [
              {"name": "features", "datatype": "FP32", "shape": [1, 4], "parameters": {"binary_data_size": 16}},
              {"name": "tokens", "datatype": "BYTES", "shape": [1, 2], "parameters": {"binary_data_size": {{{tokens.Length}}}}}],
             "parameters": {"binary_data_output": true}}
            """, Raw(Features), tokens);
        yield return Binary("valid-binary-mixed.bin", $$$"""
            {"inputs": [
              {"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]},
              {"name": "tokens", "datatype": "BYTES", "shape": [1, 2], "parameters": {"binary_data_size": {{{tokens.Length}}}}}],
             "outputs": [{"name": "label", "parameters": {"binary_data": true}}]}
            """, tokens);
        yield return Binary("binary-every-datatype.bin", """
            {"inputs": [
              {"name": "b", "datatype": "BOOL", "shape": [1], "parameters": {"binary_data_size": 1}},
              {"name": "u16", "datatype": "UINT16", "shape": [1], "parameters": {"binary_data_size": 2}},
              {"name": "f16", "datatype": "FP16", "shape": [1], "parameters": {"binary_data_size": 2}},
              {"name": "bf16", "datatype": "BF16", "shape": [1], "parameters": {"binary_data_size": 2}},
              {"name": "f64", "datatype": "FP64", "shape": [1], "parameters": {"binary_data_size": 8}},
              {"name": "s", "datatype": "BYTES", "shape": [0], "parameters": {"binary_data_size": 0}}]}
            """, [1], [1, 2], Raw([(Half)1.5]), [0x80, 0x3f], Raw([2.5]));

        // Near-misses: each stops at one check.
        yield return Json("miss-count.json", """{"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3]}]}""");
        yield return Json("miss-huge-shape.json", """{"inputs": [{"name": "features", "datatype": "FP32", "shape": [2147483647, 4], "data": [1]}]}""");
        yield return Json("miss-huge-nested.json", """{"inputs": [{"name": "x", "datatype": "INT64", "shape": [1, 2147483647], "data": [[1, 2]]}]}""");
        yield return Json("miss-range.json", """{"inputs": [{"name": "x", "datatype": "INT8", "shape": [2], "data": [1, 300]}]}""");
        yield return Json("miss-datatype.json", """{"inputs": [{"name": "x", "datatype": "FP8", "shape": [1], "data": [1]}]}""");
        yield return Json("miss-parameters.json", """{"parameters": {"priority": -1, "sequence_end": true}, "inputs": []}""");
        yield return Binary("miss-binary-size.bin", """{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1073741824], "parameters": {"binary_data_size": 4294967296}}]}""", [0, 0, 0, 0]);
        yield return Binary("miss-bytes-prefix.bin", """{"inputs": [{"name": "x", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 4}}]}""", [255, 255, 255, 127]);
        yield return Json("miss-batch.json", """
            {"inputs": [{"name": "features", "datatype": "FP32", "shape": [5, 4], "data": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]},
                        {"name": "tokens", "datatype": "BYTES", "shape": [5, 2], "data": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]}]}
            """);
        yield return ("miss-header-length.bin", JsonRequestInput.Join("{\"inputs\": []}"u8, 99));
    }

    public static IEnumerable<(string Name, byte[] Bytes)> GrpcSeeds()
    {
        InferenceTensor[] valid = [InferenceTensor.Create("features", Features, 1, 4), InferenceTensor.CreateStrings("tokens", ["a", "bc"], 1, 2)];
        var typed = GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, valid, raw: false);
        typed.Id = "r1";
        typed.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "score" });
        typed.Parameters["priority"] = new InferParameter { Int64Param = 1 };
        typed.Parameters["timeout"] = new InferParameter { Uint64Param = 5000 };
        yield return ("valid-typed.pb", typed.ToByteArray());

        var raw = GrpcRequestWriter.Create(Engine.FuzzModel.Name, "1", valid, raw: true);
        raw.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "label" });
        yield return ("valid-raw.pb", raw.ToByteArray());

        var sequence = GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, valid, raw: true);
        sequence.Parameters["sequence_id"] = new InferParameter { StringParam = "s-1" };
        sequence.Parameters["sequence_start"] = new InferParameter { BoolParam = true };
        sequence.Parameters["sequence_end"] = new InferParameter { BoolParam = false };
        yield return ("sequence.pb", sequence.ToByteArray());

        InferenceTensor[] every =
        [
            InferenceTensor.Create("b", new[] { true, false }),
            InferenceTensor.Create("u8", new byte[] { 0, 255 }),
            InferenceTensor.Create("u16", new ushort[] { 0, 65535 }),
            InferenceTensor.Create("u32", new[] { 0u, uint.MaxValue }),
            InferenceTensor.Create("u64", new[] { 0ul, ulong.MaxValue }),
            InferenceTensor.Create("i8", new sbyte[] { -128, 127 }),
            InferenceTensor.Create("i16", new short[] { short.MinValue, short.MaxValue }),
            InferenceTensor.Create("i32", new[] { int.MinValue, int.MaxValue }),
            InferenceTensor.Create("i64", new[] { long.MinValue, long.MaxValue }),
            InferenceTensor.Create("f32", new[] { float.NaN, -0f }),
            InferenceTensor.Create("f64", new[] { double.PositiveInfinity, double.Epsilon }),
            InferenceTensor.CreateStrings("s", ["", "ü"]),
        ];
        yield return ("every-datatype-typed.pb", GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, every, raw: false).ToByteArray());
        InferenceTensor[] halves = [InferenceTensor.Create("f16", new[] { (Half)1.5 }), InferenceTensor.Create("bf16", new[] { (BFloat16)2f })];
        yield return ("every-datatype-raw.pb", GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, [.. every, .. halves], raw: true).ToByteArray());

        // Near-misses: each stops at one check.
        var count = GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, valid, raw: false);
        count.Inputs[0].Contents.Fp32Contents.Add(9f);
        yield return ("miss-count.pb", count.ToByteArray());

        var huge = GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, valid, raw: false);
        huge.Inputs[0].Shape[0] = int.MaxValue;
        yield return ("miss-huge-shape.pb", huge.ToByteArray());

        var stray = GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, valid, raw: false);
        stray.Inputs[0].Contents.IntContents.Add(1);
        yield return ("miss-stray-field.pb", stray.ToByteArray());

        var rawCount = GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, valid, raw: true);
        rawCount.RawInputContents.RemoveAt(1);
        yield return ("miss-raw-count.pb", rawCount.ToByteArray());

        var range = GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, [InferenceTensor.Create("i8", new sbyte[] { 1 })], raw: false);
        range.Inputs[0].Contents.IntContents[0] = 300;
        yield return ("miss-range.pb", range.ToByteArray());

        var shared = GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, valid, raw: false);
        shared.Inputs[0].Parameters["shared_memory_region"] = new InferParameter { StringParam = "region" };
        yield return ("miss-shared-memory.pb", shared.ToByteArray());

        var parameters = GrpcRequestWriter.Create(Engine.FuzzModel.Name, null, valid, raw: false);
        parameters.Parameters["sequence_id"] = new InferParameter { DoubleParam = 1.5 };
        parameters.Parameters["priority"] = new InferParameter { Uint64Param = ulong.MaxValue };
        yield return ("miss-parameters.pb", parameters.ToByteArray());
    }

    public static IEnumerable<(string Name, byte[] Bytes)> MetadataSeeds()
    {
        var model = new ModelMetadata(
            "fraud",
            ["2", "1"],
            "onnxruntime_onnx",
            new ModelSignature(
                [new TensorSpec("features", DataType.Fp32, [-1, 8]), new TensorSpec("ids", DataType.Bytes, [-1]), new TensorSpec("s", DataType.Int8, [])],
                [new TensorSpec("probability", DataType.Fp32, [-1, 1])]),
            64);
        var written = new ArrayBufferWriter<byte>();
        MetadataWriter.WriteModel(written, model);
        yield return ("valid-model.json", written.WrittenSpan.ToArray());
        yield return Json("valid-unknown-datatype.json", """{"name": "m", "inputs": [{"name": "x", "datatype": "FP8", "shape": [1, 9223372036854775807]}]}""");

        // Near-misses: each stops at one check.
        yield return Json("miss-no-inputs.json", """{"name": "m", "versions": ["1"]}""");
        yield return Json("miss-name.json", """{"inputs": [{"name": 5, "datatype": "FP32", "shape": [1]}]}""");
        yield return Json("miss-shape.json", """{"inputs": [{"name": "x", "datatype": "FP32", "shape": "[1]"}]}""");

        // Regressions: bodies the reader once answered with an undocumented exception or a spec without a name.
        yield return Json("regression-fractional-dimension.json", """{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1.5]}]}""");
        yield return Json("regression-null-name.json", """{"inputs": [{"name": null, "datatype": "FP32", "shape": [1]}]}""");
        yield return Json("miss-error-body.json", """{"error": "unknown model 'm'"}""");
    }

    private static (string, byte[]) Json(string name, string json) => (name, Encoding.UTF8.GetBytes(json));

    private static (string, byte[]) Binary(string name, string json, params byte[][] binary)
    {
        var header = Encoding.UTF8.GetBytes(json);
        return (name, JsonRequestInput.Join([.. header, .. binary.SelectMany(b => b)], header.Length));
    }

    private static byte[] Raw<T>(T[] values) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
