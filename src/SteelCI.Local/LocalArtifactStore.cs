using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Ports;

namespace SteelCI.Local;

/// <summary>
/// Releases as folders: <c>{root}/{tag}/</c> holds the files and manifest.json. A release appears by one rename of a
/// fully written, verified staging folder, so a reader never sees half of one; its files are made read-only. A release
/// that no longer matches its manifest is renamed to <c>{root}/.aside-{tag}-{stamp}/</c> (kept, never reused, never
/// listed) before the stage publishes again.
/// </summary>
public sealed class LocalArtifactStore(string root, TimeProvider time) : IArtifactStore
{
    private const string StagingPrefix = ".staging-";
    private const string TrashPrefix = ".trash-";
    public const string AsidePrefix = ".aside-";

    public string Location => root;

    public Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(root))
            foreach (var leftover in Directory.EnumerateDirectories(root).Where(d =>
                         Path.GetFileName(d).StartsWith(StagingPrefix) || Path.GetFileName(d).StartsWith(TrashPrefix)))
                DeleteTree(leftover);
        return Task.CompletedTask;
    }

    public Task<StoredRelease?> FindAsync(string tag, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(root, tag);
        var manifest = Path.Combine(directory, Manifest.FileName);
        return Task.FromResult(File.Exists(manifest) ? new StoredRelease(tag, Json.Read<Manifest>(manifest), directory) : null);
    }

    public Task<StoredRelease?> FindVerifiedAsync(string tag, Action<string> setAside, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(root, tag);
        if (!Directory.Exists(directory))
            return Task.FromResult<StoredRelease?>(null);
        try
        {
            var manifest = ManifestVerifier.Verify(directory);
            return Task.FromResult<StoredRelease?>(new StoredRelease(tag, manifest, directory));
        }
        catch (InvalidDataException error)
        {
            var aside = SetAside(directory, tag);
            setAside($"release {tag} does not verify ({error.Message}); set aside as {aside}, the stage runs again");
            return Task.FromResult<StoredRelease?>(null);
        }
    }

    public async Task<IReadOnlyList<StoredRelease>> ListAsync(string tagPrefix, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(root))
            return [];
        var releases = new List<StoredRelease>();
        foreach (var directory in Directory.EnumerateDirectories(root, tagPrefix + "*").Order(StringComparer.Ordinal))
        {
            try
            {
                if (await FindAsync(Path.GetFileName(directory), cancellationToken) is { } release)
                    releases.Add(release);
            }
            catch (InvalidDataException)
            {
                // an unreadable manifest is no release: a run that needs this tag sets the folder aside
            }
        }
        return releases;
    }

    /// <summary>
    /// Copies the verified output into a staging folder, each file through a <see cref="VerifyingStream"/> (the copy's
    /// one read is the check that it is still the verified bytes), writes the verified manifest bytes, and renames the
    /// folder into place. Nothing is hashed again after the copy.
    /// </summary>
    public async Task<StoredRelease> PublishAsync(string tag, VerifiedOutput output, bool replace, CancellationToken cancellationToken)
    {
        var manifest = output.Manifest;
        var final = Path.Combine(root, tag);
        string? problem = null;
        var existing = await FindVerifiedAsync(tag, line => problem = line, cancellationToken);
        if (existing is not null && !replace)
            return existing;

        Directory.CreateDirectory(root);
        var staging = Path.Combine(root, StagingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var file in manifest.Files)
            {
                var target = Path.Combine(staging, file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var source = output.OpenFile(file);
                using var copy = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
                source.CopyTo(copy, 1 << 20); // synchronous, as File.Copy was: no thread-pool hop per buffer
            }
            await File.WriteAllBytesAsync(Path.Combine(staging, Manifest.FileName), output.ManifestBytes, cancellationToken);
        }
        catch (ChangedBytesException)
        {
            DeleteTree(staging);
            throw;
        }
        if (!OperatingSystem.IsWindows())
            foreach (var (_, full) in Sha256.FilesUnder(staging))
                File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        if (existing is not null)
        {
            var trash = Path.Combine(root, TrashPrefix + Guid.NewGuid().ToString("N"));
            Directory.Move(final, trash);
            Directory.Move(staging, final);
            DeleteTree(trash);
        }
        else
        {
            try
            {
                Directory.Move(staging, final);
            }
            catch (IOException) when (Directory.Exists(final))
            {
                DeleteTree(staging); // a concurrent publish of the same tag won; its content has the same key
                return await FindVerifiedAsync(tag, line => problem = line, cancellationToken)
                    ?? throw new InvalidDataException($"{final}: the release published concurrently does not verify ({problem})");
            }
        }
        return new StoredRelease(tag, manifest, final);
    }

    /// <summary>Renamed first: a killed delete leaves a trash folder that <see cref="RecoverAsync"/> removes, never half a release.</summary>
    public Task DeleteAsync(string tag, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(root, tag);
        if (!Directory.Exists(folder))
            return Task.CompletedTask;
        var trash = Path.Combine(root, TrashPrefix + Guid.NewGuid().ToString("N"));
        Directory.Move(folder, trash);
        DeleteTree(trash);
        return Task.CompletedTask;
    }

    public Task<string> FetchAsync(StoredRelease release, CancellationToken cancellationToken)
    {
        ManifestVerifier.Verify(release.Location, release.Manifest.ContentKey);
        return Task.FromResult(release.Location);
    }

    /// <summary>Renames a damaged release out of the way, kept for inspection; returns its new folder.</summary>
    private string SetAside(string directory, string tag)
    {
        var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss");
        var aside = Path.Combine(root, $"{AsidePrefix}{tag}-{stamp}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.Move(directory, aside);
        return aside;
    }

    /// <summary>Read-only files go too: on Unix, removing a file needs write access to its folder only.</summary>
    private static void DeleteTree(string directory) => Directory.Delete(directory, recursive: true);
}
