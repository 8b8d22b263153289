using System.CommandLine;
using Augur.Cli.Commands;
using Augur.Cli.Commands.Batch;
using Augur.Cli.Commands.Bench;

var root = new RootCommand("Augur: serve ONNX models over the Open Inference Protocol (KServe v2).")
{
    ServeCommand.Create(),
    InferCommand.Create(),
    ModelsCommand.Create(),
    SamplesCommand.Create(),
    BenchCommand.Create(),
    StreamCommand.Create(),
    BatchCommand.Create(),
    PredictionsCommand.Create(),
    WorkerCommand.Create(),
};

var parse = root.Parse(args);
return ServeCommand.ReportParseErrors(parse) ?? WorkerCommand.ReportParseErrors(parse) ?? await parse.InvokeAsync().ConfigureAwait(false);
