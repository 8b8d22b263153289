using System.CommandLine;
using Augur.OpenLoop.Http;
using Augur.OpenLoop.InProcess;

var root = new RootCommand("Open-loop load driver for Augur and the baseline endpoint (until `augur bench` lands).")
{
    HttpCommand.Create(),
    InProcessCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
