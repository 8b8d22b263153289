namespace Augur.Models;

/// <summary>The state of a model or model version.</summary>
public enum ModelState
{
    /// <summary>Serving requests.</summary>
    Ready,
    /// <summary>Failed to load; the status carries the reason.</summary>
    Unavailable,
}
