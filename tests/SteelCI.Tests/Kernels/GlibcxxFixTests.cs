using SteelCI.Kernels;
using SteelCI.Testing;

namespace SteelCI.Tests.Kernels;

/// <summary>The glibcxx fix on a real ELF file: a copy of TorchSharp's libLibTorchSharp.so from the NuGet cache.</summary>
public sealed class GlibcxxFixTests
{
    private static string? NuGetCopy()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    [Fact]
    public void Weakening_marks_only_the_glibcxx_3_4_32_need_and_leaves_the_cache_untouched()
    {
        var original = NuGetCopy();
        Assert.NotNull(original); // the solution restores TorchSharp, so the package is in the cache
        using var dir = new TempDirectory("glibcxx");
        var copy = dir.Combine("libLibTorchSharp.so");
        File.Copy(original, copy);
        var before = File.ReadAllBytes(original);
        var script = dir.Write("fix.py", LauncherScript.Resource("glibcxx_fix.py"));

        var first = KernelPackagerTests.Python($"import importlib.util as u; s=u.spec_from_file_location('f','{script}'); m=u.module_from_spec(s); s.loader.exec_module(m); print(m.weaken('{copy}')); print(m.weaken('{copy}'))");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(["1", "0"], first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // once, then already weak
        var after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second)); // the low byte of one vna_flags field: 0 -> 2
        Assert.Equal(before, File.ReadAllBytes(original));
    }

    [Fact]
    public void A_file_that_is_not_elf_is_refused_with_its_name()
    {
        using var dir = new TempDirectory("glibcxx");
        var bogus = dir.Write("bogus.so", "not an elf file at all");
        var script = dir.Write("fix.py", LauncherScript.Resource("glibcxx_fix.py"));

        var result = KernelPackagerTests.Python($"import subprocess,sys; r=subprocess.run([sys.executable,'{script}','--always','{bogus}'],capture_output=True,text=True); print(r.returncode); print(r.stderr)");

        Assert.Contains("2\n", result.Output);
        Assert.Contains("bogus.so: not a 64-bit little-endian ELF file", result.Output);
    }
}
