using ImageScanning.Standalone.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddAllServices();

var app = builder.Build();
app.MapAllEndpoints();
app.Run();
