using System.Security.Cryptography;
using System.Text;

namespace SteelCI.Hashing;

/// <summary>Lowercase hex sha256 of files, folders and text.</summary>
public static class Sha256
{
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        HashMeter.Add(stream.Length);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Hash of bytes in memory (a manifest read once).</summary>
    public static string OfBytes(ReadOnlySpan<byte> bytes)
    {
        HashMeter.Add(bytes.Length);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public static string OfText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Hash of every file under a folder: relative path, length and content, in ordinal path order.</summary>
    public static string OfDirectory(string directory, Func<string, bool>? include = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (relative, full) in FilesUnder(directory).Where(f => include?.Invoke(f.Relative) ?? true))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{relative}\n{new FileInfo(full).Length}\n"));
            using var stream = File.OpenRead(full);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                HashMeter.Add(read);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Cheap fingerprint of a large folder (names, sizes, modification times), for external datasets.</summary>
    public static string OfDirectoryListing(string directory)
    {
        var lines = FilesUnder(directory).Select(f =>
        {
            var info = new FileInfo(f.Full);
            return $"{f.Relative}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}";
        });
        return OfText(string.Join("\n", lines));
    }

    public static IEnumerable<(string Relative, string Full)> FilesUnder(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(full => (Relative: Path.GetRelativePath(directory, full).Replace('\\', '/'), Full: full))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
}
