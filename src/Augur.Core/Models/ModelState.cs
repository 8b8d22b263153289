namespace Augur.Models;

/// <summary>The state of a model or model version.</summary>
public enum ModelState
{
    /// <summary>Being loaded or warmed up.</summary>
    Loading,
    /// <summary>Serving requests.</summary>
    Ready,
    /// <summary>Failed to load; the status carries the reason.</summary>
    Unavailable,
}
