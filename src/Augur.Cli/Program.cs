using System.CommandLine;
using Augur.Cli.Commands;

var root = new RootCommand("Augur: serve ONNX models over the Open Inference Protocol (KServe v2).")
{
    ServeCommand.Create(),
    InferCommand.Create(),
    ModelsCommand.Create(),
    SamplesCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
