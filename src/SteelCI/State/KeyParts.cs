namespace SteelCI.State;

/// <summary>
/// What went into a stage's content key (<see cref="Contracts.ContentKey"/>), recorded beside the key so that a later
/// key can be explained part by part: trainer code (bundle hash), entry, epochs, params and the keys of its inputs.
/// Null in states written before steelci recorded it.
/// </summary>
public sealed class KeyParts
{
    public required string Trainer { get; set; }
    public required string Entry { get; set; }
    public int Epochs { get; set; }
    public Dictionary<string, string> Params { get; set; } = new();
    /// <summary>Content key of each input (an upstream stage or an external dataset), by name.</summary>
    public Dictionary<string, string> Inputs { get; set; } = new();
}
