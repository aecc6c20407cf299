using SteelCI.Cli;
using SteelCI.Testing;

namespace SteelCI.Cli.Tests.Composition;

/// <summary>
/// The trainer's source key (issue 14 item 4) over real files: what goes into the bundle changes it, what does not
/// leaves it alone, and two clones of the same sources in different places agree.
/// </summary>
public sealed class TrainerSourceKeyTests : IDisposable
{
    private readonly TempDirectory _dir = new("srckey");

    public TrainerSourceKeyTests()
    {
        Write("repo/Directory.Packages.props", "<Project><ItemGroup><PackageVersion Include=\"TorchSharp\" Version=\"0.107.0\" /></ItemGroup></Project>");
        Write("repo/Directory.Build.targets", "<Project><PropertyGroup><Fix>$(MSBuildThisFileDirectory)tools/fix.py</Fix></PropertyGroup></Project>");
        Write("repo/tools/fix.py", "print('fix')");
        Write("repo/tools/other.py", "print('unrelated')");
        Write("repo/lib/Lib.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Write("repo/lib/Lib.cs", "class Lib {}");
        Write("repo/trainer/T.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"><ItemGroup><ProjectReference Include=\"../lib/Lib.csproj\" /></ItemGroup></Project>");
        Write("repo/trainer/Program.cs", "class P {}");
        Write("repo/trainer/Models/Net.cs", "class Net {}");
        Write("repo/README.md", "# readme");
        Write("repo/src/Unrelated/Unrelated.cs", "class U {}");
    }

    public void Dispose() => _dir.Dispose();

    private void Write(string relative, string text)
    {
        var path = _dir.Combine(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private string Key(string root = "repo", string sdk = "10.0.100", string? runtime = "linux-x64", string publisher = "p1") =>
        TrainerSourceKey.Compute(_dir.Combine($"{root}/trainer/T.csproj"), sdk, runtime, publisher);

    [Theory]
    [InlineData("repo/trainer/Program.cs")]
    [InlineData("repo/trainer/Models/Net.cs")]
    [InlineData("repo/trainer/T.csproj")]
    [InlineData("repo/lib/Lib.cs")]
    [InlineData("repo/Directory.Packages.props")]
    [InlineData("repo/tools/fix.py")]
    public void A_change_to_what_goes_into_the_bundle_changes_the_key(string file)
    {
        var before = Key();
        File.AppendAllText(_dir.Combine(file), file.EndsWith("proj") || file.EndsWith("props") ? "\n<!-- edited -->" : "\n// edited");
        Assert.NotEqual(before, Key());
    }

    [Fact]
    public void A_reference_through_an_MSBuild_property_is_not_guessed_at()
    {
        var project = _dir.Combine("init", "trainer", "trainer.csproj");
        Directory.CreateDirectory(Path.GetDirectoryName(project)!);
        File.WriteAllText(project, """<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><ProjectReference Include="$(SteelCIRoot)/src/SteelCI.Training/SteelCI.Training.csproj" /></ItemGroup></Project>""");
        var error = Assert.Throws<NotSupportedException>(() => TrainerSourceKey.ProjectFolders(project));
        Assert.Contains("through an MSBuild property", error.Message);
    }

    [Fact]
    public void A_new_source_file_changes_the_key()
    {
        var before = Key();
        Write("repo/lib/More.cs", "class More {}");
        Assert.NotEqual(before, Key());
    }

    [Theory]
    [InlineData("repo/README.md")]
    [InlineData("repo/src/Unrelated/Unrelated.cs")]
    [InlineData("repo/tools/other.py")]
    [InlineData("repo/trainer/bin/Release/T.dll")]
    [InlineData("repo/trainer/obj/steelci-linux-x64/project.assets.json")]
    [InlineData("repo/lib/.vs/settings.json")]
    public void A_change_elsewhere_leaves_the_key(string file)
    {
        var before = Key();
        Write(file, "changed " + file);
        Assert.Equal(before, Key());
    }

    [Fact]
    public void The_sdk_the_runtime_and_the_publisher_are_part_of_the_key()
    {
        var key = Key();
        Assert.NotEqual(key, Key(sdk: "10.0.101"));
        Assert.NotEqual(key, Key(runtime: null));
        Assert.NotEqual(key, Key(publisher: "p2"));
    }

    [Fact]
    public void Two_clones_in_different_places_agree()
    {
        SteelCI.Files.FolderCopy.CopyTree(_dir.Combine("repo"), _dir.Combine("elsewhere/clone"));
        Assert.Equal(Key(), Key(root: "elsewhere/clone"));
    }

    [Fact]
    public void A_project_that_is_not_xml_is_named()
    {
        File.WriteAllText(_dir.Combine("repo/lib/Lib.csproj"), "not xml");
        var error = Assert.Throws<InvalidDataException>(() => Key());
        Assert.Contains("Lib.csproj", error.Message);
    }

    [Fact]
    public void A_missing_referenced_project_is_named()
    {
        File.Delete(_dir.Combine("repo/lib/Lib.csproj"));
        var error = Assert.Throws<FileNotFoundException>(() => Key());
        Assert.Contains("Lib.csproj", error.Message);
    }
}
