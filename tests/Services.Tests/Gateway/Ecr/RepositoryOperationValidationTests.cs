using ImageScanning.Gateway.Aws;
using ImageScanning.ServiceDefaults.Aws;
using System.Text;
using ImageScanning.Gateway.Ecr;
using ImageScanning.Gateway.Ecr.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageScanning.Services.Tests.Gateway.Ecr;

/// <summary>
/// CreateRepository and DeleteRepository refuse bad requests with the names botocore's ECR model gives their members and errors,
/// before asking ScanRouter (the service provider holds no request clients); DescribeRegistry answers from configuration alone.
/// </summary>
public sealed class RepositoryOperationValidationTests
{
    private static readonly EcrRegistries Registries = new(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registries:0:Name"] = "local",
            ["Registries:0:Url"] = "http://127.0.0.1:5000",
        }).Build(),
        Options.Create(new AwsOptions { AccountId = "123456789012" }));

    private ServiceProvider _noServices = null!;

    [OneTimeSetUp]
    public void CreateServices() => _noServices = new ServiceCollection().AddSingleton(Options.Create(new AwsOptions())).AddSingleton(new AwsAccount(new AwsOptions())).BuildServiceProvider();

    [OneTimeTearDown]
    public void DisposeServices() => _noServices.Dispose();

    private EcrCall Call(string body) => new(EcrRequest.Parse(Encoding.UTF8.GetBytes(body)), Registries, _noServices, CancellationToken.None);

    private EcrException ErrorOf(Func<EcrCall, Task> operation, string body) => Assert.ThrowsAsync<EcrException>(() => operation(Call(body)))!;

    [TestCase("{}", "ValidationException", TestName = "CreateRepository without repositoryName")]
    [TestCase("""{"repositoryName":"Team/App"}""", "InvalidParameterException", TestName = "CreateRepository with an upper-case name")]
    [TestCase("""{"repositoryName":"app","imageTagMutability":"SOMETIMES"}""", "ValidationException", TestName = "CreateRepository with an unknown mutability")]
    [TestCase("""{"repositoryName":"app","imageScanningConfiguration":{"scanOnPush":"yes"}}""", "SerializationException", TestName = "CreateRepository with a string scanOnPush")]
    [TestCase("""{"repositoryName":"app","encryptionConfiguration":{}}""", "ValidationException", TestName = "CreateRepository without encryptionType")]
    [TestCase("""{"repositoryName":"app","encryptionConfiguration":{"encryptionType":"ROT13"}}""", "ValidationException", TestName = "CreateRepository with an unknown encryptionType")]
    [TestCase("""{"repositoryName":"app","encryptionConfiguration":{"encryptionType":"KMS"}}""", "InvalidParameterException", TestName = "CreateRepository with KMS")]
    [TestCase("""{"repositoryName":"app","encryptionConfiguration":{"encryptionType":"AES256","kmsKey":"k"}}""", "InvalidParameterException", TestName = "CreateRepository with a kmsKey for AES256")]
    [TestCase("""{"repositoryName":"app","tags":[{"Value":"x"}]}""", "InvalidTagParameterException", TestName = "CreateRepository with a tag without a key")]
    [TestCase("""{"repositoryName":"app","tags":"team=a"}""", "SerializationException", TestName = "CreateRepository with tags not a list")]
    [TestCase("""{"registryId":"999999999999","repositoryName":"app"}""", "InvalidParameterException", TestName = "CreateRepository in an unknown registry")]
    public void CreateRepository_validation(string body, string expected) =>
        Assert.That(ErrorOf(RepositoryOperations.CreateRepositoryAsync, body).Type, Is.EqualTo(expected));

    [Test]
    public void An_unknown_mutability_is_refused_with_the_model_enum()
    {
        var e = ErrorOf(RepositoryOperations.CreateRepositoryAsync, """{"repositoryName":"app","imageTagMutability":"SOMETIMES"}""");
        Assert.That(e.Message, Is.EqualTo(
            "1 validation error detected: Value 'SOMETIMES' at 'imageTagMutability' failed to satisfy constraint: Member must satisfy enum value set: [MUTABLE, IMMUTABLE]"));
    }

    [TestCase("{}", "ValidationException", TestName = "DeleteRepository without repositoryName")]
    [TestCase("""{"repositoryName":"a"}""", "InvalidParameterException", TestName = "DeleteRepository with a one-character name")]
    [TestCase("""{"repositoryName":"app","force":"true"}""", "SerializationException", TestName = "DeleteRepository with a string force")]
    public void DeleteRepository_validation(string body, string expected) =>
        Assert.That(ErrorOf(RepositoryOperations.DeleteRepositoryAsync, body).Type, Is.EqualTo(expected));

    [Test]
    public async Task DescribeRegistry_names_the_registry_and_no_replication()
    {
        var answer = await RepositoryOperations.DescribeRegistryAsync(Call("{}"));
        Assert.That(answer.ToJsonString(), Is.EqualTo("""{"registryId":"123456789012","replicationConfiguration":{"rules":[]}}"""));
    }

    [TestCase("CreateRepository", "write")]
    [TestCase("DeleteRepository", "write")]
    [TestCase("DescribeRegistry", "read")]
    public void Scopes(string operation, string scope) => Assert.That(AwsAccessScopes.RequiredScope(operation), Is.EqualTo(scope));
}
