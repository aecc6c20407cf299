using SteelCI.Kaggle.Credentials;

namespace SteelCI.Kaggle.Tests;

public sealed class CredentialTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("steelci-kaggle-home-").FullName;
    private readonly List<string> _warnings = [];

    private KaggleAccount Read(Dictionary<string, string?> env, string account = "alice", bool isDefault = true) =>
        new KaggleCredentialReader(env, _home, _warnings.Add).Read(account, isDefault);

    private string Write(string relative, string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_home, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void Api_token_variable_holds_the_value_or_a_path()
    {
        var byValue = Read(new() { ["KAGGLE_API_TOKEN"] = "KGAT_value" });
        Assert.IsType<TokenCredential>(byValue.Credential);
        var file = Write("secrets/token", "KGAT_from_file\n");
        var byPath = (TokenCredential)Read(new() { ["KAGGLE_API_TOKEN"] = file }).Credential;
        Assert.True(byPath.Token.AppearsIn("Bearer KGAT_from_file"));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void An_api_token_variable_naming_a_missing_file_is_refused_naming_the_variable_and_the_path()
    {
        var error = Assert.Throws<KaggleCredentialsException>(() => Read(new() { ["KAGGLE_API_TOKEN_X"] = "/no/such/file" }, "x", isDefault: false));
        Assert.Equal("$KAGGLE_API_TOKEN_X names the file /no/such/file, which does not exist; set it to the token itself (KGAT_…) or to the path of a file that holds it", error.Message);
    }

    [Fact]
    public void Each_account_reads_its_own_suffixed_variables_side_by_side()
    {
        var env = new Dictionary<string, string?>
        {
            ["KAGGLE_API_TOKEN_ALICE"] = "KGAT_alice",
            ["KAGGLE_USERNAME_BOB_2"] = "bob",
            ["KAGGLE_KEY_BOB_2"] = "bobkey",
            ["KAGGLE_API_TOKEN"] = "KGAT_default_only",
        };
        var alice = (TokenCredential)Read(env, "alice", isDefault: false).Credential;
        Assert.True(alice.Token.AppearsIn("KGAT_alice"));
        var bob = Assert.IsType<LegacyKeyCredential>(Read(env, "bob-2", isDefault: false).Credential);
        Assert.Equal("bob", bob.Username);
        // a non-default account never falls back to the unsuffixed token
        var error = Assert.Throws<KaggleCredentialsException>(() => Read(env, "carol", isDefault: false));
        Assert.Contains("KAGGLE_API_TOKEN_CAROL", error.Message);
    }

    [Fact]
    public void Access_token_file_comes_before_kaggle_json_and_a_config_dir_is_honoured()
    {
        Write(".kaggle/kaggle.json", "{\"username\":\"alice\",\"key\":\"legacy\"}");
        Write(".kaggle/access_token", "KGAT_file");
        Assert.IsType<TokenCredential>(Read([]).Credential);

        Write("elsewhere/kaggle.json", "{\"username\":\"zed\",\"key\":\"zkey\"}");
        var legacy = Assert.IsType<LegacyKeyCredential>(Read(new() { ["KAGGLE_CONFIG_DIR"] = Path.Combine(_home, "elsewhere") }).Credential);
        Assert.Equal("zed", legacy.Username);
        Assert.Equal("zed", new KaggleAccount("z", legacy).KnownUsername);
    }

    [Fact]
    public void A_credentials_file_readable_by_others_is_warned_about()
    {
        Write(".kaggle/kaggle.json", "{\"username\":\"alice\",\"key\":\"legacy\"}", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Read([]);
        var warning = Assert.Single(_warnings);
        Assert.Contains("chmod 600", warning);
        Assert.DoesNotContain("legacy\"", warning);
    }

    [Fact]
    public void Nothing_found_lists_where_it_looked_and_broken_json_does_not_quote_the_file()
    {
        var missing = Assert.Throws<KaggleCredentialsException>(() => Read([]));
        Assert.Contains("$KAGGLE_API_TOKEN", missing.Message);
        Assert.Contains("kaggle.json", missing.Message);
        Write(".kaggle/kaggle.json", "{\"username\":\"alice\",\"key\":\"sup3rsecret\"");
        var broken = Assert.Throws<KaggleCredentialsException>(() => Read([]));
        Assert.DoesNotContain("sup3rsecret", broken.Message);
    }

    [Fact]
    public void Secrets_never_print_themselves()
    {
        var token = new TokenCredential(new Secret("KGAT_very_secret"), "$KAGGLE_API_TOKEN");
        var key = new LegacyKeyCredential("bob", new Secret("k3y_very_secret"), "kaggle.json");
        var text = $"{token} {key} {new KaggleAccount("a", token)} {new KaggleAccount("b", key)} {token.Token}";
        Assert.DoesNotContain("very_secret", text);
        Assert.Contains(Secret.Redacted, $"{token.Token}");
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
