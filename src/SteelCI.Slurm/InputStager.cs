namespace SteelCI.Slurm;

/// <summary>
/// Copies a kernel source into <c>{shared}/inputs/{content key}</c> once: into a temporary folder beside it, then
/// renamed, so a folder under that name is always whole and later attempts (and other pipelines) reuse it.
/// </summary>
public static class InputStager
{
    public static string Stage(IClusterFiles files, string sharedDir, Ports.KernelSource source)
    {
        var inputs = sharedDir.TrimEnd('/') + "/inputs";
        files.CreateDirectory(inputs);
        var target = inputs + "/" + source.ContentKey;
        if (files.Exists(target))
            return target;
        var temporary = $"{inputs}/.{source.ContentKey}.{Guid.NewGuid():N}.tmp";
        if (File.Exists(source.LocalPath))
        {
            files.CreateDirectory(temporary);
            files.Upload(source.LocalPath, temporary + "/" + Path.GetFileName(source.LocalPath));
        }
        else
            files.Upload(source.LocalPath, temporary);
        if (!files.TryRename(temporary, target))
            files.DeleteTree(temporary); // another runner staged the same content first
        return target;
    }
}
