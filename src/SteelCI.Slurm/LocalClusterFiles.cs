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
