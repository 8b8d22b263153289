using System.CommandLine;
using Augur.OnnxRuntime.Samples;

namespace Augur.Cli.Commands;

/// <summary><c>augur samples write DIR</c>: regenerate the sample models (trained and built by Augur's ONNX builder).</summary>
internal static class SamplesCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("directory") { Description = "The repository folder to write the sample models into (<model>/1/model.onnx; sentiment/1/pipeline.json and classifier.onnx)." };
        var write = new Command("write", "Write the sample models (fraud, delivery_eta, image_classifier, ranker, pump_monitor, sentiment) into a repository folder.") { directory };
        write.SetAction(parse =>
        {
            var target = parse.GetValue(directory)!.FullName;
            SampleModels.WriteAll(target);
            Console.WriteLine($"Wrote {string.Join(", ", SampleModels.Names)} to {target}");
            return 0;
        });

        return new Command("samples", "The bundled sample models.") { write };
    }
}
