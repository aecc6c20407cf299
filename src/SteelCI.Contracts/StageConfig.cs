namespace SteelCI.Contracts;

/// <summary>
/// stage.json, format "steelci.stage/1": everything a trainer needs to run one attempt of a stage. It travels inside
/// the kernel (embedded in the launcher) and holds no secret.
/// </summary>
public sealed record StageConfig
{
    public const string CurrentFormat = "steelci.stage/1";

    public string Format { get; init; } = CurrentFormat;
    public required string Pipeline { get; init; }
    public required string Stage { get; init; }
    public required string Entry { get; init; }
    public required string ContentKey { get; init; }
    public required int Epochs { get; init; }
    public required IReadOnlyDictionary<string, string> Params { get; init; }
    public required IReadOnlyList<StageInput> Inputs { get; init; }
    /// <summary>Name of the input that holds a partial checkpoint of this stage to resume from, if any.</summary>
    public string? ResumeFrom { get; init; }
    public required string TrainerHash { get; init; }
    public required string SteelciVersion { get; init; }
    public string? SourceCommit { get; init; }
}

/// <summary>An input as the kernel sees it: the name the trainer asks for and the folder it is mounted as.</summary>
public sealed record StageInput(string Name, string Mount, string Source, string ContentKey);
