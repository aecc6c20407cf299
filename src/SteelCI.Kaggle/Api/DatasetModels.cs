namespace SteelCI.Kaggle.Api;

public enum DatabundleVersionStatus
{
    NotYetPersisted, BlobsReceived, BlobsDecompressed, BlobsCopiedToSds, IndividualBlobsCompressed, Ready, Failed,
    Deleted, Reprocessing,
}

public enum ApiBlobType { Dataset, Model, Inbox, CompetitionSolution }

public sealed record StartBlobUploadRequest
{
    public ApiBlobType Type { get; init; } = ApiBlobType.Dataset;
    public string Name { get; init; } = "";
    public string? ContentType { get; init; }
    public long ContentLength { get; init; }
    public long? LastModifiedEpochSeconds { get; init; }
}

public sealed record StartBlobUploadResponse
{
    public string Token { get; init; } = "";
    public string CreateUrl { get; init; } = "";
}

public sealed record DatasetNewFile
{
    public string Token { get; init; } = "";
    public string? Description { get; init; }
}

/// <summary>ApiUploadDirectoryInfo: a folder of uploaded files, kept as a tree in the dataset.</summary>
public sealed record DatasetDirectory
{
    public string Name { get; init; } = "";
    public IReadOnlyList<DatasetDirectory>? Directories { get; init; }
    public IReadOnlyList<DatasetNewFile>? Files { get; init; }
}

public sealed record CreateDatasetRequest
{
    public string OwnerSlug { get; init; } = "";
    public string Slug { get; init; } = "";
    public string Title { get; init; } = "";
    public string LicenseName { get; init; } = "other";
    public bool IsPrivate { get; init; } = true;
    public string? Subtitle { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<DatasetNewFile>? Files { get; init; }
    public IReadOnlyList<DatasetDirectory>? Directories { get; init; }
}

public sealed record CreateDatasetVersionBody
{
    public string? VersionNotes { get; init; }
    public bool? DeleteOldVersions { get; init; }
    public IReadOnlyList<DatasetNewFile>? Files { get; init; }
    public IReadOnlyList<DatasetDirectory>? Directories { get; init; }
}

public sealed record CreateDatasetVersionRequest
{
    public string OwnerSlug { get; init; } = "";
    public string DatasetSlug { get; init; } = "";
    public CreateDatasetVersionBody Body { get; init; } = new();
}

public sealed record CreateDatasetResponse
{
    public string? Ref { get; init; }
    public string? Url { get; init; }
    public string? Status { get; init; }
    public string? Error { get; init; }
}

public sealed record DatasetStatusResponse
{
    public DatabundleVersionStatus Status { get; init; } = DatabundleVersionStatus.NotYetPersisted;
}
