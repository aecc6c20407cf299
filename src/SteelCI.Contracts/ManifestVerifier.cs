using SteelCI.Hashing;

namespace SteelCI.Contracts;

/// <summary>Refuses an output folder whose manifest is missing, malformed or does not match its files.</summary>
public static class ManifestVerifier
{
    /// <summary>Reads and checks the manifest in <paramref name="directory"/>; throws <see cref="InvalidDataException"/> naming the problem.</summary>
    public static Manifest Verify(string directory, string? expectedContentKey = null) => VerifyOutput(directory, expectedContentKey).Manifest;

    /// <summary>
    /// As <see cref="Verify"/> (every file hashed once), keeping what was verified for the stores: the manifest's bytes
    /// and hash. Throws <see cref="InvalidDataException"/> naming the problem.
    /// </summary>
    public static VerifiedOutput VerifyOutput(string directory, string? expectedContentKey = null)
    {
        var path = Path.Combine(directory, Manifest.FileName);
        if (!File.Exists(path))
            throw new InvalidDataException($"{directory}: no {Manifest.FileName}; the output is incomplete");
        var bytes = File.ReadAllBytes(path);
        var manifest = Json.Parse<Manifest>(bytes, path);
        if (manifest.Format != Manifest.CurrentFormat)
            throw new InvalidDataException($"{path}: format '{manifest.Format}' is not supported (this SteelCI reads {Manifest.CurrentFormat})");
        if (expectedContentKey is not null && manifest.ContentKey != expectedContentKey)
            throw new InvalidDataException($"{path}: content key {manifest.ContentKey} does not match the expected {expectedContentKey}");
        if (manifest.Files.Count == 0)
            throw new InvalidDataException($"{path}: lists no files");
        foreach (var file in manifest.Files)
        {
            if (file.Path.Contains("..") || Path.IsPathRooted(file.Path) || file.Path == Manifest.FileName)
                throw new InvalidDataException($"{path}: file entry '{file.Path}' is not a plain relative path");
            var full = Path.Combine(directory, file.Path);
            if (!File.Exists(full))
                throw new InvalidDataException($"{path}: lists '{file.Path}', which is missing");
            var length = new FileInfo(full).Length;
            if (length != file.Bytes)
                throw new InvalidDataException($"{full}: {length} bytes, the manifest says {file.Bytes}");
            var hash = Sha256.OfFile(full);
            if (hash != file.Sha256)
                throw new InvalidDataException($"{full}: sha256 {hash} does not match the manifest's {file.Sha256}");
        }
        return new VerifiedOutput(directory, manifest, bytes, Sha256.OfBytes(bytes));
    }
}
