namespace SteelCI.Contracts;

/// <summary>
/// An output folder whose files were hashed once and matched its manifest (<see cref="ManifestVerifier.VerifyOutput"/>,
/// the only maker). Stores publish it without hashing it again, and copy or upload its files through a
/// <see cref="Hashing.VerifyingStream"/> that refuses bytes changed since. The manifest is kept as the bytes that
/// were verified, so a manifest changed on disk afterwards is never published.
/// </summary>
public sealed class VerifiedOutput
{
    internal VerifiedOutput(string directory, Manifest manifest, byte[] manifestBytes, string manifestSha256)
    {
        Directory = directory;
        Manifest = manifest;
        ManifestBytes = manifestBytes;
        ManifestSha256 = manifestSha256;
    }

    public string Directory { get; }
    public Manifest Manifest { get; }
    /// <summary>manifest.json as it was read and verified.</summary>
    public ReadOnlyMemory<byte> ManifestBytes { get; }
    public string ManifestSha256 { get; }

    /// <summary>A manifest file's bytes, read through a stream that refuses them unless they are what was verified.</summary>
    public Hashing.VerifyingStream OpenFile(ManifestFile file) =>
        Hashing.VerifyingStream.OfFile(Path.Combine(Directory, file.Path), file.Bytes, file.Sha256);
}
