//! The client-side parts of `tc-config.xml` the Java agent needs besides `<application>`
//! rules (`transparent.rs`): `<clients><logs>` (with `%i`/`%D`/… already substituted by the one
//! configuration parser), the `<injected-instances>` fields, and connecting with Terracotta's
//! `-Dtc.server=host:port[,host:port]` replacing the configuration's servers.

use kiln::Value;
use kiln_config::TcConfig;

use jni::objects::{JByteArray, JClass, JString};
use jni::sys::jlong;
use jni::EnvUnowned;

use crate::error::Result;
use crate::ffi::{self, bridge};
use crate::{convert, handle};

/// `Native.clientConfig` of a parsed configuration: the `<clients><logs>` directory (string, or
/// null when not configured), then per `<injected-field>` its field name and instance type
/// (string, or null: the field's declared type decides).
pub fn client_values(cfg: &TcConfig) -> Vec<Value> {
    let mut out = vec![cfg
        .clients
        .logs
        .as_ref()
        .map_or(Value::Null, |p| Value::Str(p.display().to_string()))];
    for i in &cfg.application.injected_instances {
        out.push(Value::Str(i.field_name.clone()));
        out.push(i.type_name.clone().map_or(Value::Null, Value::Str));
    }
    out
}

/// `static native byte[] clientConfig(String path)`: [`client_values`] of the file at `path`
/// (a bad file is a `ConfigException` naming file:line:column).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_clientConfig<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    path: JString<'local>,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        crate::init_logging();
        let path = ffi::string(env, &path, "path")?;
        let cfg = TcConfig::from_file(&path).map_err(kiln::Error::Config)?;
        let b = convert::encode_values(&client_values(&cfg));
        ffi::bytes_result(env, Some(&b))
    })
}

/// `static native long connectServers(String spec, String servers, String name, long
/// connectTimeoutMillis)`: `Native.connect` with `servers` (`host:port[,host:port]`) replacing
/// the configuration's servers.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_connectServers<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    spec: JString<'local>,
    servers: JString<'local>,
    name: JString<'local>,
    connect_timeout_millis: jlong,
) -> jlong {
    bridge(&mut env, |env| -> Result<jlong> {
        crate::init_logging();
        let spec = ffi::string(env, &spec, "spec")?;
        let servers = ffi::string(env, &servers, "servers")?;
        let name = ffi::opt_string(env, &name)?;
        let h = handle::connect_with(
            &spec,
            Some(&servers),
            name.as_deref(),
            convert::timeout_millis(connect_timeout_millis),
        )?;
        Ok(ffi::new_client_handle(h))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_and_injected_fields_come_substituted_and_in_order() {
        let xml = r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <system><configuration-model>production</configuration-model></system>
  <servers><server host="localhost"><dso-port>9510</dso-port></server></servers>
  <clients><logs>/tmp/kiln-logs-%i-%D</logs></clients>
  <application><dso>
    <injected-instances>
      <injected-field><field-name>demo.A.cluster</field-name></injected-field>
      <injected-field><field-name>demo.B.c</field-name><instance-type>com.tc.cluster.DsoCluster</instance-type></injected-field>
    </injected-instances>
  </dso></application>
</tc:tc-config>"#;
        let cfg = TcConfig::from_str_with_origin(xml, "<test>").expect("parses");
        let v = client_values(&cfg);
        let Value::Str(logs) = &v[0] else {
            panic!("logs: {:?}", v[0])
        };
        assert!(logs.starts_with("/tmp/kiln-logs-"), "{logs}");
        assert!(!logs.contains('%'), "substituted: {logs}");
        assert_eq!(v[1], Value::Str("demo.A.cluster".into()));
        assert_eq!(v[2], Value::Null);
        assert_eq!(v[3], Value::Str("demo.B.c".into()));
        assert_eq!(v[4], Value::Str("com.tc.cluster.DsoCluster".into()));
        assert_eq!(v.len(), 5);
    }
}
