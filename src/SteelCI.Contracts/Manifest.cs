namespace SteelCI.Contracts;

public enum OutputStatus { Complete, Partial }

/// <summary>
/// manifest.json, format "steelci.manifest/1": what a stage produced, every file with its sha256, and where it came from.
/// Written by the trainer in its output folder; checked before anything is published. See docs/contracts.md.
/// </summary>
public sealed record Manifest
{
    public const string FileName = "manifest.json";
    public const string CurrentFormat = "steelci.manifest/1";

    public string Format { get; init; } = CurrentFormat;
    public required string Pipeline { get; init; }
    public required string Stage { get; init; }
    public required string Entry { get; init; }
    public required OutputStatus Status { get; init; }
    /// <summary>Hash of the stage's inputs, code and configuration; equal keys mean equal work.</summary>
    public required string ContentKey { get; init; }
    public required IReadOnlyList<ManifestFile> Files { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Decision thresholds chosen on the validation split (pixel, area, classifier gates).</summary>
    public IReadOnlyDictionary<string, double> Thresholds { get; init; } = new Dictionary<string, double>();
    public required Progress Progress { get; init; }
    public required Lineage Lineage { get; init; }
    public required RuntimeInfo Runtime { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
}

public sealed record ManifestFile(string Path, string Sha256, long Bytes);

/// <summary>How far the stage got: a partial output is a checkpoint that the next session resumes from.</summary>
public sealed record Progress(int EpochsDone, int EpochsTotal);

public sealed record Lineage
{
    public IReadOnlyList<InputLineage> Inputs { get; init; } = [];
    public required string TrainerHash { get; init; }
    public required string SteelciVersion { get; init; }
    public string? SourceCommit { get; init; }
    /// <summary>The release this output resumed from, for the second and later sessions of a long stage.</summary>
    public string? ResumedFrom { get; init; }
}

/// <summary>One input of a stage: the release tag it came from (or a folder for external data) and its content key.</summary>
public sealed record InputLineage(string Name, string Source, string ContentKey);

public sealed record RuntimeInfo(string TorchSharp, string LibTorch, string Device, int Threads, string Os);
