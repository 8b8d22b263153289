namespace Augur.Workers.Hosting;

/// <summary>
/// Why a worker could not start (a missing folder, a model that fails to load, an endpoint it cannot listen on); the
/// message is one readable line that names the folder, model or endpoint.
/// </summary>
public sealed class WorkerStartupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkerStartupException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
