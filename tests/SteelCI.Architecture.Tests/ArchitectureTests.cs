using SteelCI.Testing;

namespace SteelCI.Architecture.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void Every_product_project_references_only_what_the_layout_allows()
    {
        var projects = ProjectFile.ProductProjects(Repository.Root);

        Assert.Contains(projects, p => p.Name == Layout.Contracts);
        Assert.True(projects.Count >= Layout.Allowed.Count - 1, $"only {projects.Count} projects found under {Repository.Root}");
        var problems = ProjectGraph.Problems(projects);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_contracts_and_the_trainer_harness_have_no_dependencies_beyond_the_contracts()
    {
        var contracts = ProjectFile.Read(Repository.File("src", "SteelCI.Contracts", "SteelCI.Contracts.csproj"));
        var training = ProjectFile.Read(Repository.File("src", "SteelCI.Training", "SteelCI.Training.csproj"));

        Assert.Empty(contracts.Projects);
        Assert.Empty(contracts.Packages);
        Assert.Equal([Layout.Contracts], training.Projects);
    }

    [Fact]
    public void A_forbidden_arrow_an_unlisted_project_and_a_misplaced_package_are_each_named()
    {
        using var dir = new TempDirectory("arch");
        var kaggle = dir.Write("src/SteelCI.Kaggle/SteelCI.Kaggle.csproj", """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <ProjectReference Include="../SteelCI/SteelCI.csproj" />
                <ProjectReference Include="..\SteelCI.GitHub\SteelCI.GitHub.csproj" />
              </ItemGroup>
            </Project>
            """);
        dir.Write("src/SteelCI.Extra/SteelCI.Extra.csproj", """<Project Sdk="Microsoft.NET.Sdk" />""");
        dir.Write("src/SteelCI.Contracts/SteelCI.Contracts.csproj", """
            <Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference Include="YamlDotNet" /></ItemGroup></Project>
            """);

        var problems = ProjectGraph.Problems(ProjectFile.ProductProjects(dir.Path));

        Assert.Equal(4, problems.Count);
        Assert.Contains($"{kaggle}: SteelCI.Kaggle -> SteelCI.GitHub is not an allowed arrow (allowed: SteelCI, SteelCI.Archives, SteelCI.Contracts, SteelCI.Kernels; see docs/architecture.md)", problems);
        Assert.Contains(problems, p => p.Contains("SteelCI.Extra is not in the layout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SteelCI.Contracts references the package YamlDotNet, which only SteelCI may use", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SteelCI.Contracts must have no dependencies", StringComparison.Ordinal));
    }
    [Fact]
    public void Test_projects_share_code_through_the_test_kit_which_references_no_product_project()
    {
        var kit = ProjectFile.Read(Repository.File("tests", Layout.TestKit, Layout.TestKit + ".csproj"));
        var testProjects = Directory.EnumerateFiles(Repository.File("tests"), "*.Tests.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .ToList();

        Assert.Empty(kit.Projects);
        Assert.True(testProjects.Count >= 10, $"only {testProjects.Count} test projects found");
        var borrowed = testProjects
            .SelectMany(path => System.Xml.Linq.XDocument.Load(path).Descendants("Compile")
                .Select(c => c.Attribute("Include")?.Value)
                .Where(include => include is not null && include.StartsWith("..", StringComparison.Ordinal))
                .Select(include => $"{path}: compiles {include}; put shared test code in tests/{Layout.TestKit} and reference it"))
            .ToList();
        Assert.True(borrowed.Count == 0, string.Join("\n", borrowed));
        Assert.All(testProjects, path => Assert.Contains(Layout.TestKit, ProjectFile.Read(path).Projects));
    }
}
