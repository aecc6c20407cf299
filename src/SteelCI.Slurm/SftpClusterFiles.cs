using Renci.SshNet;
using Renci.SshNet.Common;
using SteelCI.Slurm.Ssh;

namespace SteelCI.Slurm;

/// <summary>The shared folder on the login node, reached by SFTP over the session's connection.</summary>
public sealed class SftpClusterFiles(SshSession session) : IClusterFiles
{
    private SftpClient Sftp => session.Sftp();

    public bool Exists(string path) => Sftp.Exists(path);

    public void CreateDirectory(string path)
    {
        // SFTP's mkdir makes one level: walk down from the root like mkdir -p.
        var current = "";
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            if (!Sftp.Exists(current))
                Sftp.CreateDirectory(current);
        }
    }

    public void Upload(string localPath, string path)
    {
        if (File.Exists(localPath))
        {
            using var stream = File.OpenRead(localPath);
            Sftp.UploadFile(stream, path);
            return;
        }
        CreateDirectory(path);
        foreach (var folder in Directory.EnumerateDirectories(localPath))
            Upload(folder, path + "/" + Path.GetFileName(folder));
        foreach (var file in Directory.EnumerateFiles(localPath))
            Upload(file, path + "/" + Path.GetFileName(file));
    }

    public void WriteText(string path, string text) => Sftp.WriteAllText(path, text);

    public string? ReadText(string path) => Sftp.Exists(path) ? Sftp.ReadAllText(path) : null;

    public byte[]? ReadFrom(string path, long offset)
    {
        if (!Sftp.Exists(path))
            return null;
        using var stream = Sftp.OpenRead(path);
        if (stream.Length <= offset)
            return [];
        stream.Seek(offset, SeekOrigin.Begin);
        using var rest = new MemoryStream();
        stream.CopyTo(rest);
        return rest.ToArray();
    }

    public bool TryRename(string from, string to)
    {
        try
        {
            Sftp.RenameFile(from, to);
            return true;
        }
        catch (SshException) when (Sftp.Exists(to))
        {
            return false;
        }
    }

    public void DeleteTree(string path)
    {
        foreach (var entry in Sftp.ListDirectory(path).Where(e => e.Name is not ("." or "..")))
        {
            if (entry.IsDirectory)
                DeleteTree(entry.FullName);
            else
                Sftp.DeleteFile(entry.FullName);
        }
        Sftp.DeleteDirectory(path);
    }

    public void Symlink(string link, string target) => Sftp.SymbolicLink(target, link);

    /// <summary>Downloads the folder into <paramref name="localCopy"/> (replacing what an earlier call left there).</summary>
    public string BringHere(string path, string localCopy)
    {
        if (Directory.Exists(localCopy))
            Directory.Delete(localCopy, recursive: true);
        Download(path, localCopy);
        return localCopy;
    }

    private void Download(string path, string local)
    {
        Directory.CreateDirectory(local);
        foreach (var entry in Sftp.ListDirectory(path).Where(e => e.Name is not ("." or "..")))
        {
            var target = Path.Combine(local, entry.Name);
            if (entry.IsDirectory)
                Download(entry.FullName, target);
            else if (entry.IsRegularFile)
            {
                using var stream = File.Create(target);
                Sftp.DownloadFile(entry.FullName, stream);
            }
        }
    }
}
