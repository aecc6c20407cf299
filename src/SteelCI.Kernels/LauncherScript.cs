using System.Globalization;
using SteelCI.Contracts;

namespace SteelCI.Kernels;

/// <summary>Generates the Python launcher a kernel runs: the template with the stage, bundle and glibcxx fix filled in.</summary>
public static class LauncherScript
{
    public const string FileName = "steelci_launcher.py";

    public static string Generate(StageConfig config, string bundleMount, TimeSpan sessionLimit, string accelerator = "cpu")
    {
        if (accelerator is not ("cpu" or "gpu"))
            throw new ArgumentException($"accelerator '{accelerator}' is not cpu or gpu", nameof(accelerator));
        var stageJson = Json.Serialize(config);
        if (stageJson.Contains("\"\"\""))
            throw new ArgumentException("the stage configuration cannot be embedded: it contains three quotes in a row");
        return Resource("launcher.py")
            .Replace("__STAGE_JSON__", stageJson)
            .Replace("__BUNDLE_MOUNT__", bundleMount)
            .Replace("__ACCELERATOR__", accelerator)
            .Replace("__SESSION_SECONDS__", sessionLimit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture))
            .Replace("__MARGIN_SHARE__", PlatformRules.LauncherMarginShare.ToString(CultureInfo.InvariantCulture))
            .Replace("__MARGIN_CAP_SECONDS__", PlatformRules.LauncherMarginCap.TotalSeconds.ToString("0", CultureInfo.InvariantCulture))
            .Replace("__GLIBCXX_FIX__", GlibcxxFixLibrary());
    }

    /// <summary>glibcxx_fix.py without its command-line part, so the launcher can call its functions.</summary>
    public static string GlibcxxFixLibrary()
    {
        var source = Resource("glibcxx_fix.py");
        var cut = source.IndexOf("\ndef main(argv):", StringComparison.Ordinal);
        return source[..cut].TrimEnd() + "\n";
    }

    public static string Resource(string name)
    {
        using var stream = typeof(LauncherScript).Assembly.GetManifestResourceStream($"SteelCI.Kernels.{name}")
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from SteelCI.Kernels");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
