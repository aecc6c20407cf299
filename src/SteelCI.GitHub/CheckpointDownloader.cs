using SteelCI.Contracts;
using SteelCI.Ports;

namespace SteelCI.GitHub;

/// <summary>A checkpoint fetched for a person: where it is and what it is.</summary>
public sealed record DownloadedCheckpoint(string Tag, string Directory, Manifest Manifest, bool AlreadyPresent);

/// <summary>
/// "Give me the trained model": a stage name (its newest complete release) or a release tag, fetched from any artifact
/// store (GitHub or local), every sha256 verified, into a folder that appears only once complete.
/// </summary>
public sealed class CheckpointDownloader(IArtifactStore store, Action<string>? log = null)
{
    private const string PartialPrefix = ".partial-";

    /// <param name="pipeline">The pipeline name from steelci.yml (tags start with it).</param>
    /// <param name="stageOrTag">A stage name such as <c>seg-class1</c>, or a full release tag.</param>
    /// <param name="outputDirectory">Created by the download; an existing folder must be empty or hold this very checkpoint.</param>
    /// <param name="includePartial">Also consider partial checkpoints of an unfinished stage (the newest wins).</param>
    public async Task<DownloadedCheckpoint> DownloadAsync(string pipeline, string stageOrTag, string outputDirectory,
        bool includePartial = false, CancellationToken cancellationToken = default)
    {
        var release = await ResolveAsync(pipeline, stageOrTag, includePartial, cancellationToken);
        var output = Path.GetFullPath(outputDirectory);
        if (Directory.Exists(output))
        {
            if (!Directory.EnumerateFileSystemEntries(output).Any())
                Directory.Delete(output);
            else
            {
                try
                {
                    var present = ManifestVerifier.Verify(output, release.Manifest.ContentKey);
                    log?.Invoke($"{output} already holds {release.Tag}, verified");
                    return new DownloadedCheckpoint(release.Tag, output, present, AlreadyPresent: true);
                }
                catch (InvalidDataException error)
                {
                    throw new GitHubStoreException($"{output} exists and does not hold {release.Tag} ({error.Message}); choose another --output or empty it");
                }
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        log?.Invoke($"downloading {release.Tag} from {store.Location}");
        if (store is IDirectFetch direct)
            await direct.FetchIntoAsync(release, output, cancellationToken);
        else
            await CopyAsync(await store.FetchAsync(release, cancellationToken), output, cancellationToken);
        var manifest = ManifestVerifier.Verify(output, release.Manifest.ContentKey);
        log?.Invoke($"{release.Tag}: {manifest.Files.Count} files verified in {output}");
        return new DownloadedCheckpoint(release.Tag, output, manifest, AlreadyPresent: false);
    }

    /// <summary>A full tag is looked up as is; a stage name picks the newest complete release of that stage.</summary>
    public async Task<StoredRelease> ResolveAsync(string pipeline, string stageOrTag, bool includePartial, CancellationToken cancellationToken)
    {
        if (ReleaseTag.TryParse(pipeline, stageOrTag) is not null)
            return await store.FindAsync(stageOrTag, cancellationToken)
                ?? throw new GitHubStoreException($"no finished release {stageOrTag} in {store.Location}");
        var candidates = (await store.ListAsync($"{pipeline}-{stageOrTag}-", cancellationToken))
            .Where(r => ReleaseTag.TryParse(pipeline, r.Tag) is { } tag && tag.Stage == stageOrTag)
            .ToList();
        var usable = candidates.Where(r => includePartial || (r.Manifest.Status == OutputStatus.Complete && !ReleaseTag.TryParse(pipeline, r.Tag)!.IsPartial)).ToList();
        if (usable.Count == 0)
            throw new GitHubStoreException(candidates.Count == 0
                ? $"stage {stageOrTag} of pipeline {pipeline} has no release in {store.Location}; check the stage name"
                : $"stage {stageOrTag} has only partial checkpoints ({string.Join(", ", candidates.Select(c => c.Tag))}); pass one of those tags, or allow partial checkpoints");
        return usable.OrderByDescending(r => r.Manifest.CreatedUtc).ThenByDescending(r => r.Manifest.Progress.EpochsDone).First();
    }

    private static async Task CopyAsync(string source, string output, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(Path.GetDirectoryName(output)!, PartialPrefix + Path.GetFileName(output));
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(staging, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using var from = File.OpenRead(file);
            await using var to = File.Create(target);
            await from.CopyToAsync(to, cancellationToken);
        }
        Directory.Move(staging, output);
    }
}
