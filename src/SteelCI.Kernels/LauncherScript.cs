namespace SteelCI.Kernels;

/// <summary>
/// The Python launcher a kernel runs: fixed code (Launcher/launcher.py with glibcxx_fix.py inlined) and one literal, the
/// kernel's <see cref="KernelSpec"/> as JSON. Nothing else differs between two kernels' launchers.
/// </summary>
public static class LauncherScript
{
    public const string FileName = "steelci_launcher.py";
    private const string SpecPlaceholder = "__KERNEL_JSON__";

    public static string Render(KernelSpec spec)
    {
        if (spec.Accelerator is not ("cpu" or "gpu"))
            throw new ArgumentException($"accelerator '{spec.Accelerator}' is not cpu or gpu", nameof(spec));
        var json = spec.ToJson();
        if (json.Contains("\"\"\"", StringComparison.Ordinal))
            throw new ArgumentException("the kernel spec cannot be embedded: it contains three quotes in a row");
        var template = Resource("launcher.py");
        var at = template.IndexOf(SpecPlaceholder, StringComparison.Ordinal);
        // Spliced at the one place, so nothing inside the spec or the inlined fix is ever taken for a placeholder.
        template = template[..at] + json + template[(at + SpecPlaceholder.Length)..];
        return template.Replace("__GLIBCXX_FIX__", GlibcxxFixLibrary());
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
