using System.Text.Json;

namespace SteelCI.Kernels;

/// <summary>The libtorch version a trainer bundle's TorchSharp binds: steelci-bundle.json's <c>libtorch</c>, else the
/// trainer's <c>*.deps.json</c> (<c>libtorch-cpu-linux-x64/2.10.0</c>). The launcher reads it the same way.</summary>
public static class BundleLibtorch
{
    public static string? VersionOf(string bundleDirectory)
    {
        if (!Directory.Exists(bundleDirectory))
            return null;
        var info = Path.Combine(bundleDirectory, BundleInfo.FileName);
        if (File.Exists(info))
        {
            using var bundleInfo = JsonDocument.Parse(File.ReadAllText(info));
            if (bundleInfo.RootElement.TryGetProperty("libtorch", out var pinned) && pinned.GetString() is { Length: > 0 } version)
                return version;
        }
        foreach (var deps in Directory.EnumerateFiles(bundleDirectory, "*.deps.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(deps));
            if (!document.RootElement.TryGetProperty("libraries", out var libraries))
                continue;
            foreach (var name in libraries.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal))
            {
                var (package, version) = (name.Split('/')[0], name.Split('/').ElementAtOrDefault(1));
                if (package.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(version))
                    return version;
            }
        }
        return null;
    }

    /// <summary>major.minor.patch of a libtorch version (2.10.0.1 → 2.10.0), what a torch wheel's version is compared by.</summary>
    public static string Release(string version) => string.Join('.', version.Split('+')[0].Split('.').Take(3));
}
