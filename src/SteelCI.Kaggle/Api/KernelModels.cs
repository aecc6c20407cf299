namespace SteelCI.Kaggle.Api;

public enum KernelWorkerStatus { Queued, Running, Complete, Error, CancelRequested, CancelAcknowledged, NewScript }

/// <summary>ApiSaveKernelRequest (kaggle-api.md §2.1).</summary>
public sealed record SaveKernelRequest
{
    public long? Id { get; init; }
    public string? Slug { get; init; }
    public string? NewTitle { get; init; }
    public string? Text { get; init; }
    public string? Language { get; init; }
    public string? KernelType { get; init; }
    public bool? IsPrivate { get; init; }
    public bool? EnableGpu { get; init; }
    public bool? EnableTpu { get; init; }
    public bool? EnableInternet { get; init; }
    public IReadOnlyList<string>? DatasetDataSources { get; init; }
    public IReadOnlyList<string>? CompetitionDataSources { get; init; }
    public IReadOnlyList<string>? KernelDataSources { get; init; }
    public IReadOnlyList<string>? ModelDataSources { get; init; }
    public IReadOnlyList<string>? CategoryIds { get; init; }
    public string? DockerImagePinningType { get; init; }
    public int? SessionTimeoutSeconds { get; init; }
    public string? MachineShape { get; init; }
    public string? KernelExecutionType { get; init; }
}

/// <summary>
/// ApiSaveKernelResponse. <see cref="Ref"/> is <c>"/code/{owner}/{slug}"</c> on the real service (kaggle-api.md §8);
/// read it through <see cref="Kernel"/>, which the client fills with the owner it pushed as.
/// </summary>
public sealed record SaveKernelResponse
{
    public string? Ref { get; init; }
    public string? Url { get; init; }
    public int? VersionNumber { get; init; }
    public string? Error { get; init; }
    public long? KernelId { get; init; }
    public IReadOnlyList<string>? InvalidTags { get; init; }
    public IReadOnlyList<string>? InvalidDatasetSources { get; init; }
    public IReadOnlyList<string>? InvalidCompetitionSources { get; init; }
    public IReadOnlyList<string>? InvalidKernelSources { get; init; }
    public IReadOnlyList<string>? InvalidModelSources { get; init; }

    /// <summary>The pushed kernel: the owner we pushed as, the slug from <see cref="Ref"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public KernelRef? Kernel { get; init; }

    /// <summary>Every entry of the four <c>invalid*Sources</c> lists.</summary>
    public IReadOnlyList<InvalidSource> InvalidSources() =>
    [
        .. (InvalidDatasetSources ?? []).Select(s => new InvalidSource(SourceKind.Dataset, s)),
        .. (InvalidCompetitionSources ?? []).Select(s => new InvalidSource(SourceKind.Competition, s)),
        .. (InvalidKernelSources ?? []).Select(s => new InvalidSource(SourceKind.Kernel, s)),
        .. (InvalidModelSources ?? []).Select(s => new InvalidSource(SourceKind.Model, s)),
    ];
}

public enum SourceKind { Dataset, Competition, Kernel, Model }

/// <summary>An input Kaggle did not attach, and what the account's owner can do about it.</summary>
public sealed record InvalidSource(SourceKind Kind, string Source)
{
    public string Fix => Kind switch
    {
        SourceKind.Competition => $"accept the competition's rules at https://www.kaggle.com/competitions/{Source.Split('/')[^1]}/rules " +
            "while signed in as this account (Join Competition / I Understand and Accept), then run again",
        SourceKind.Dataset => "check the dataset slug (owner/slug) and that this account can see the dataset (a private dataset of " +
            "another account is invisible to it; a new dataset must finish processing first)",
        SourceKind.Kernel => "check the kernel's owner/slug and that this account can see it",
        _ => "check the model handle (owner/model/framework/variation) and that this account can see the model",
    };

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Source}: {Fix}";
}

public sealed record KernelSessionStatus
{
    /// <summary>Absent on the wire means QUEUED, the proto default.</summary>
    public KernelWorkerStatus Status { get; init; } = KernelWorkerStatus.Queued;
    public string? FailureMessage { get; init; }
}

public sealed record KernelOutputFile
{
    public string Url { get; init; } = "";
    public string FileName { get; init; } = "";
}

public sealed record KernelSessionOutputPage
{
    public IReadOnlyList<KernelOutputFile>? Files { get; init; }
    public string? Log { get; init; }
    public string? NextPageToken { get; init; }
}

/// <summary>All output files of a version (every page) and its final log.</summary>
public sealed record KernelSessionOutput(IReadOnlyList<KernelOutputFile> Files, string Log);

public sealed record KernelMetadataInfo
{
    public long? Id { get; init; }
    public string? Ref { get; init; }
    public string? Title { get; init; }
    public string? Author { get; init; }
    public string? Slug { get; init; }
    public string? Language { get; init; }
    public string? KernelType { get; init; }
    public bool IsPrivate { get; init; }
    public bool EnableGpu { get; init; }
    public bool EnableInternet { get; init; }
    public string? MachineShape { get; init; }
    public IReadOnlyList<string>? DatasetDataSources { get; init; }
    public int? CurrentVersionNumber { get; init; }
    public DateTimeOffset? LastRunTime { get; init; }
}

public sealed record KernelBlob
{
    public string? Source { get; init; }
    public string? Language { get; init; }
    public string? KernelType { get; init; }
    public string? Slug { get; init; }
}

public sealed record GetKernelResponse
{
    public KernelMetadataInfo? Metadata { get; init; }
    public KernelBlob? Blob { get; init; }
}

public sealed record ListKernelsRequest
{
    public string? User { get; init; }
    public string? Search { get; init; }
    public string? Group { get; init; }
    public string? SortBy { get; init; }
    public int? Page { get; init; }
    public int? PageSize { get; init; }
    public string? PageToken { get; init; }
}

public sealed record ListKernelsResponse
{
    public IReadOnlyList<KernelMetadataInfo>? Kernels { get; init; }
    public string? NextPageToken { get; init; }
}

public sealed record DeleteKernelResponse
{
    public string? ErrorMessage { get; init; }
}
