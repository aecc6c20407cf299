namespace SteelCI.Kaggle.Fake;

internal enum VersionPhase { Queued, Running, Complete, Error, CancelAcknowledged }

internal sealed class FakeKernel
{
    public required long Id { get; init; }
    public required string Owner { get; init; }
    public required string Slug { get; init; }
    public required string Title { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public List<FakeKernelVersion> Versions { get; } = [];
    public string Ref => $"{Owner}/{Slug}";
    public FakeKernelVersion Latest => Versions[^1];
}

internal sealed class FakeKernelVersion
{
    public required int Number { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string Source { get; init; }
    public required string Language { get; init; }
    public required string KernelType { get; init; }
    public required bool IsPrivate { get; init; }
    public required bool Gpu { get; init; }
    public required bool Internet { get; init; }
    public string? MachineShape { get; init; }
    public required IReadOnlyList<string> DatasetSources { get; init; }
    public IReadOnlyList<string> CompetitionSources { get; init; } = [];
    /// <summary>Kernels ("owner/slug") whose output this version mounts as an input.</summary>
    public IReadOnlyList<string> KernelSources { get; init; } = [];
    public TimeSpan Timeout { get; init; }
    public bool QuickSave { get; init; }
    public VersionPhase Phase { get; set; }
    public string? FailureMessage { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public IFakeRun? Run { get; set; }
    public bool IsActive => Phase is VersionPhase.Queued or VersionPhase.Running;
}

internal sealed class FakeDataset
{
    public required string Owner { get; init; }
    public required string Slug { get; init; }
    public required string Title { get; init; }
    public List<FakeDatasetVersion> Versions { get; } = [];
}

internal sealed class FakeDatasetVersion
{
    public required int Number { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>Relative path in the dataset → the blob holding its bytes.</summary>
    public required IReadOnlyDictionary<string, FakeBlob> Files { get; init; }
    public string? MountedAt { get; set; }
    /// <summary>Why processing failed (an uploaded zip that could not be unpacked): the status ends FAILED.</summary>
    public string? Failure { get; init; }
}

internal sealed class FakeBlob
{
    public required string Id { get; init; }
    public required string Token { get; init; }
    public required string Owner { get; init; }
    public required string Name { get; init; }
    public required long Length { get; init; }
    public required string Path { get; init; }
    public long Received { get; set; }
    public bool Complete => Received == Length;
}
