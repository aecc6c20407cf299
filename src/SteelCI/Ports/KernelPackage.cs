using SteelCI.Contracts;
namespace SteelCI.Ports;

/// <summary>
/// One attempt as a kernel: a folder with the generated launcher and kernel-metadata.json, plus the sources mounted
/// read-only beside it (trainer bundle, datasets, upstream releases).
/// </summary>
public sealed record KernelPackage(
    string Slug,
    string Directory,
    string CodeFile,
    IReadOnlyList<KernelSource> Sources,
    string Accelerator,
    TimeSpan SessionLimit)
{
    /// <summary>The account the placement chose; null lets the backend choose (a backend without accounts ignores it).</summary>
    public string? Account { get; init; }

    /// <summary>The backend the stage asked for (its compute: choice, else the pipeline's backend); a <see cref="Running.RoutingBackend"/> routes by it.</summary>
    public string? Compute { get; init; }
}

/// <summary>
/// A read-only input of a kernel: mounted as <see cref="Mount"/>, its bytes at <see cref="LocalPath"/>; or, with
/// <see cref="Competition"/>, a Kaggle competition's data that Kaggle mounts itself (no local copy, nothing uploaded).
/// </summary>
public sealed record KernelSource(string Mount, string LocalPath, string ContentKey)
{
    public string? Competition { get; init; }

    /// <summary>The release's manifest, held in memory, when the source is a stored release: what a backend keys it by
    /// without its bytes.</summary>
    public Manifest? Manifest { get; init; }

    /// <summary>
    /// Fetches the bytes of a source passed without them (<see cref="LocalPath"/> empty), for a backend that
    /// <see cref="IComputeBackend.FetchesSourcesOnDemand"/>: it calls this only when it has to upload them.
    /// </summary>
    public Func<CancellationToken, Task<string>>? Fetch { get; init; }

    /// <summary>The local folder with the source's bytes, fetched now if they were passed on demand.</summary>
    public async Task<string> LocalPathAsync(CancellationToken cancellationToken)
    {
        if (LocalPath.Length > 0)
            return LocalPath;
        if (Fetch is null)
            throw new InvalidOperationException($"input '{Mount}' has neither a local folder nor a way to fetch it");
        return await Fetch(cancellationToken);
    }
}

/// <summary>The published trainer: a folder with the program, its runtime pieces and steelci-bundle.json.</summary>
public sealed record TrainerBundle(string Directory, string Hash);
