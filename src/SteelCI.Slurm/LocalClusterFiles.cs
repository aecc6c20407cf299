namespace SteelCI.Slurm;

/// <summary>The shared folder mounted on this machine (or SteelCI running on the login node).</summary>
public sealed class LocalClusterFiles : IClusterFiles
{
    public bool Exists(string path) => Directory.Exists(path) || File.Exists(path);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public void Upload(string localPath, string path)
    {
        if (File.Exists(localPath))
            File.Copy(localPath, path);
        else
            Files.FolderCopy.CopyTree(localPath, path);
    }

    public void WriteText(string path, string text) => File.WriteAllText(path, text);

    public string? ReadText(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    public byte[]? ReadFrom(string path, long offset)
    {
        if (!File.Exists(path))
            return null;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length <= offset)
            return [];
        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[stream.Length - offset];
        return buffer[..stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)];
    }

    public bool TryRename(string from, string to)
    {
        try
        {
            Directory.Move(from, to);
            return true;
        }
        catch (IOException) when (Directory.Exists(to))
        {
            return false;
        }
    }

    public void DeleteTree(string path) => Directory.Delete(path, recursive: true);

    public void Symlink(string link, string target) => Directory.CreateSymbolicLink(link, target);

    public string BringHere(string path, string localCopy) => path;
}
