namespace SteelCI.GitHub.Fake;

/// <summary>A release as the fake keeps it. Read it only under <see cref="FakeGitHubState.Gate"/>.</summary>
public sealed class FakeRelease
{
    public required long Id { get; init; }
    public required string Owner { get; init; }
    public required string Repo { get; init; }
    public required string Tag { get; set; }
    public string TargetCommitish { get; set; } = "main";
    public string? Name { get; set; }
    public string? Body { get; set; }
    public bool Draft { get; set; }
    public bool Prerelease { get; set; }
    public string MakeLatest { get; set; } = "true";
    public bool Immutable { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? PublishedAt { get; set; }
    public List<FakeAsset> Assets { get; } = [];
}

/// <summary>An asset: <c>starter</c> while bytes arrive, <c>uploaded</c> once all declared bytes were received.</summary>
public sealed class FakeAsset
{
    public required int Id { get; init; }
    public required long ReleaseId { get; init; }
    public required string Name { get; set; }
    public string? Label { get; set; }
    public string State { get; set; } = "starter";
    public required string ContentType { get; init; }
    public long Size { get; set; }
    public string? Sha256 { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public int DownloadCount { get; set; }
}

/// <summary>One request the fake answered, for assertions (never holds the token itself).</summary>
public sealed record FakeRequest(string Method, string Path, bool HadAuthorization, int Status, long? ResponseBytes = null);
