namespace Augur.Precomputed;

/// <summary>A precomputed prediction store could not answer (down, unreachable, refusing); the message says why.</summary>
public sealed class PrecomputedStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PrecomputedStoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
