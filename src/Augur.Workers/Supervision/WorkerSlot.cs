namespace Augur.Workers.Supervision;

/// <summary>Which worker this is: one instance of one model version, with its settings and the backend it runs.</summary>
internal sealed record WorkerSlot(string Model, long Version, int Index, string VersionDirectory, string Backend, WorkerSettings Settings)
{
    public string Describe => $"worker {Index} of model '{Model}' version {Version}";
}
