namespace SteelCI.Slurm;

/// <summary>
/// Copies a kernel source into <c>{shared}/inputs/{content key}</c> once: into a temporary folder beside it, then
/// renamed, so a folder under that name is always whole and later attempts (and other pipelines) reuse it.
/// </summary>
public static class InputStager
{
    public static string Stage(string sharedDir, Ports.KernelSource source)
    {
        var inputs = Directory.CreateDirectory(Path.Combine(sharedDir, "inputs")).FullName;
        var target = Path.Combine(inputs, source.ContentKey);
        if (Directory.Exists(target))
            return target;
        var temporary = Path.Combine(inputs, $".{source.ContentKey}.{Guid.NewGuid():N}.tmp");
        Copy(source.LocalPath, temporary);
        try
        {
            Directory.Move(temporary, target);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            Directory.Delete(temporary, recursive: true); // another runner staged the same content first
        }
        return target;
    }

    private static void Copy(string from, string to)
    {
        if (File.Exists(from))
        {
            Directory.CreateDirectory(to);
            File.Copy(from, Path.Combine(to, Path.GetFileName(from)));
            return;
        }
        Files.FolderCopy.CopyTree(from, to);
    }
}
