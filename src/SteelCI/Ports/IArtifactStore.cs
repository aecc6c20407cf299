using SteelCI.Contracts;

namespace SteelCI.Ports;

/// <summary>Where stage outputs become versioned releases: <c>local</c> (a folder) or <c>github</c>.</summary>
public interface IArtifactStore
{
    /// <summary>A human-readable place, for summaries ("/repo/.steelci/releases").</summary>
    string Location { get; }

    /// <summary>Removes what an interrupted publish left behind; never touches finished releases.</summary>
    Task RecoverAsync(CancellationToken cancellationToken);

    /// <summary>A finished release with this tag, or null. Unfinished uploads are never returned.</summary>
    Task<StoredRelease?> FindAsync(string tag, CancellationToken cancellationToken);

    /// <summary>
    /// The release with this tag, only if its files match its manifest: what a run reuses. One that does not verify (a
    /// file changed, truncated or missing, the manifest missing or unreadable) is set aside, kept for inspection under
    /// another name and never returned again, so the stage runs again and can publish the tag anew.
    /// <paramref name="setAside"/> hears what was set aside, where, and why.
    /// </summary>
    Task<StoredRelease?> FindVerifiedAsync(string tag, Action<string> setAside, CancellationToken cancellationToken);

    /// <summary>Releases whose tag starts with <paramref name="tagPrefix"/>.</summary>
    Task<IReadOnlyList<StoredRelease>> ListAsync(string tagPrefix, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes a verified output under <paramref name="tag"/>. The store trusts <paramref name="output"/>'s manifest
    /// and does not hash the folder again; it copies or uploads each file through a check that refuses bytes changed
    /// since verification (<see cref="Hashing.ChangedBytesException"/>), and publishes the manifest bytes that were
    /// verified. Idempotent: if a release with that tag exists, it is returned; with <paramref name="replace"/> an
    /// existing one is replaced atomically.
    /// </summary>
    Task<StoredRelease> PublishAsync(string tag, VerifiedOutput output, bool replace, CancellationToken cancellationToken);

    /// <summary>Deletes the release with this tag (prune); one that is already gone is no error. A killed delete never
    /// leaves half a release that a reader would take for a whole one.</summary>
    Task DeleteAsync(string tag, CancellationToken cancellationToken);

    /// <summary>A local folder holding the release's files, verified against its manifest.</summary>
    Task<string> FetchAsync(StoredRelease release, CancellationToken cancellationToken);
}

public sealed record StoredRelease(string Tag, Manifest Manifest, string Location);

public static class ArtifactStores
{
    /// <summary>Verifies <paramref name="directory"/> against its manifest (one hash pass) and publishes it.</summary>
    public static Task<StoredRelease> PublishAsync(this IArtifactStore store, string tag, string directory, bool replace,
        CancellationToken cancellationToken) =>
        store.PublishAsync(tag, ManifestVerifier.VerifyOutput(directory), replace, cancellationToken);
}

/// <summary>
/// Marks a store's exception saying that a release's fetched bytes do not match its manifest (a file changed, truncated
/// or missing), as opposed to a store that cannot be reached; the local store says so with an
/// <see cref="InvalidDataException"/>. A caller that can do without the release refuses it and goes on.
/// </summary>
public interface IReleaseDamage
{
}
