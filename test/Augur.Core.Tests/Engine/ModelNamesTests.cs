using Augur.Engine;

namespace Augur.Core.Tests.Engine;

public sealed class ModelNamesTests
{
    [Theory]
    [InlineData("fraud")]
    [InlineData("Fraud_v2")]
    [InlineData("delivery-eta")]
    [InlineData("resnet50.onnx")]
    [InlineData("a..b")]
    [InlineData("a.")]
    [InlineData("0")]
    [InlineData("_")]
    [InlineData("-")]
    public void IsValid_AcceptsFolderSafeNames(string name)
    {
        Assert.True(ModelNames.IsValid(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("../etc")]
    [InlineData("/abs")]
    [InlineData("C:")]
    [InlineData("a\0b")]
    [InlineData("\0")]
    [InlineData("a b")]
    [InlineData("tab\t")]
    [InlineData("new\nline")]
    [InlineData("é")]
    [InlineData("a%2Fb")]
    [InlineData("a*")]
    [InlineData("ａ")] // fullwidth letter: not ASCII
    public void IsValid_RejectsNamesThatCouldEscapeOrConfuse(string name)
    {
        Assert.False(ModelNames.IsValid(name));
    }

    [Fact]
    public void IsValid_RejectsNull()
    {
        Assert.False(ModelNames.IsValid(null));
    }

    [Fact]
    public void IsValid_AcceptsUpTo128Characters()
    {
        Assert.True(ModelNames.IsValid(new string('a', 128)));
        Assert.False(ModelNames.IsValid(new string('a', 129)));
        Assert.Equal(128, ModelNames.MaxLength);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("7", 7)]
    [InlineData("10", 10)]
    [InlineData("123456789", 123456789)]
    [InlineData("999999999999999999", 999999999999999999)]
    public void TryParseVersion_AcceptsPositiveIntegers(string text, long expected)
    {
        Assert.True(ModelNames.TryParseVersion(text, out var version));
        Assert.Equal(expected, version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("00")]
    [InlineData("01")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("abc")]
    [InlineData("1a")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("0x10")]
    [InlineData("١")] // Arabic-Indic digit one
    [InlineData("1٢")]
    [InlineData("9223372036854775807")] // long.MaxValue: longer than the 18 digits accepted
    [InlineData("9223372036854775808")]
    [InlineData("99999999999999999999999999")]
    public void TryParseVersion_RejectsEverythingElse(string text)
    {
        Assert.False(ModelNames.TryParseVersion(text, out _));
    }

    [Fact]
    public void TryParseVersion_RejectsNull()
    {
        Assert.False(ModelNames.TryParseVersion(null, out _));
    }
}
