using System.Globalization;
using Augur.OnnxRuntime.Pipelines;
using Augur.PipelineRepository;

// Writes the repositories of the PRETZEL benchmark (docs/benchmarks/pretzel.sh), all from fixed seeds:
//   DIR/white-box/text_NN/1/{pipeline.json, head.onnx}     text_ngrams (the same settings in all) into a linear head
//   DIR/white-box/numeric_NN/1/{pipeline.json, head.onnx}  scale + one_hot + hash_buckets + concat into a logistic head
//   DIR/black-box/<model>/1/model.onnx                     the same pipeline fused into one graph (PipelineFusion)
//   DIR/requests/<model>.json                              one request per model (augur bench --models-from)
// Half the pipelines are text, half numeric. Every head has its own random weights; the featurizers are identical.
if (args.Length is < 1 or > 2 || (args.Length == 2 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out _) || int.Parse(args[1], CultureInfo.InvariantCulture) < 2)))
{
    Console.Error.WriteLine("usage: Augur.PipelineRepository DIR [PIPELINES=100]   (at least 2: half text, half numeric)");
    return 2;
}

var directory = args[0];
var count = args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
var whiteBox = Path.Combine(directory, "white-box");
var blackBox = Path.Combine(directory, "black-box");
var requests = Path.Combine(directory, "requests");
foreach (var folder in new[] { whiteBox, blackBox, requests })
{
    if (Directory.Exists(folder))
    {
        Directory.Delete(folder, recursive: true);
    }

    Directory.CreateDirectory(folder);
}

var textCount = count / 2;
for (var i = 0; i < count; i++)
{
    var (name, pipeline, head, request) = i < textCount
        ? ($"text_{i:D2}", TextPipeline.Definition, TextPipeline.BuildHead(i), TextPipeline.Request(i))
        : ($"numeric_{i - textCount:D2}", NumericPipeline.Definition, NumericPipeline.BuildHead(i - textCount), NumericPipeline.Request(i - textCount));
    var version = Path.Combine(whiteBox, name, "1");
    Directory.CreateDirectory(version);
    File.WriteAllText(Path.Combine(version, "pipeline.json"), pipeline);
    File.WriteAllBytes(Path.Combine(version, PipelineFiles.Head), head);

    var fused = Path.Combine(blackBox, name, "1");
    Directory.CreateDirectory(fused);
    File.WriteAllBytes(Path.Combine(fused, "model.onnx"), PipelineFusion.Compile(version));
    File.WriteAllText(Path.Combine(requests, name + ".json"), request);
}

Console.WriteLine($"wrote {textCount} text and {count - textCount} numeric pipelines to {whiteBox}, fused to {blackBox}, requests to {requests}");
return 0;
