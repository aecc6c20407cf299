using SteelCI.Kernels;
using SteelCI.Testing;

namespace SteelCI.Tests.Kernels;

public sealed class BundleExecutablesTests
{
    [Fact]
    public void Files_with_any_execute_bit_are_listed_relative_and_in_order()
    {
        using var dir = new TempDirectory("bundle-x");
        foreach (var (path, mode) in new[] { ("Trainer", 0b111_101_101), ("sub/createdump", 0b001_000_000 | 0b100_000_000), ("a.dll", 0b110_100_100), ("sub/b.json", 0b110_000_000) })
            File.SetUnixFileMode(dir.Write(path, "x"), (UnixFileMode)mode);

        Assert.Equal(["Trainer", "sub/createdump"], TrainerPublisher.ExecutablesIn(dir.Path));
    }
}
