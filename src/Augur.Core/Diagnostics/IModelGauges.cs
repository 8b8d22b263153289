namespace Augur.Diagnostics;

/// <summary>The state a model version reports through observable gauges.</summary>
internal interface IModelGauges
{
    int QueueDepth { get; }

    int BusyInstances { get; }

    int InstanceCount { get; }

    int BatchLimit { get; }

    int BatchTarget { get; }
}
