namespace SteelCI.Slurm;

/// <summary>
/// The cluster's shared folder as the backend uses it. Paths are the shared folder's own (compute.slurm.shared_dir):
/// mounted here (<see cref="LocalClusterFiles"/>, the REST route) or on the login node, reached by SFTP
/// (<see cref="SftpClusterFiles"/>, the SSH route).
/// </summary>
public interface IClusterFiles
{
    bool Exists(string path);

    void CreateDirectory(string path);

    /// <summary>Copies a local file or folder (recursively) to <paramref name="path"/>.</summary>
    void Upload(string localPath, string path);

    void WriteText(string path, string text);

    /// <summary>The file's text, or null when there is none.</summary>
    string? ReadText(string path);

    /// <summary>The file's bytes from <paramref name="offset"/> to its end (empty when it has no more), or null when there is no file.</summary>
    byte[]? ReadFrom(string path, long offset);

    /// <summary>Renames a folder; false when the target exists already (another runner was first).</summary>
    bool TryRename(string from, string to);

    void DeleteTree(string path);

    void Symlink(string link, string target);

    /// <summary>The folder as a local path: itself when mounted here, else a copy under <paramref name="localCopy"/>.</summary>
    string BringHere(string path, string localCopy);
}
