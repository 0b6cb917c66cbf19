from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_outbox_address_encrypted'),
    ]

    operations = [
        migrations.AddField(
            model_name='documenttemplate',
            name='kind',
            field=models.CharField(choices=[('official', '公文'), ('enforcement', '执法文书'), ('record', '笔录')], default='official', help_text='公文：红头、版记和印发；执法文书：机关全称、标题、文号、落款；笔录：栏目、签名栏和页码', max_length=20, verbose_name='文书格式'),
        ),
        migrations.AlterField(
            model_name='documenttemplate',
            name='number_prefix',
            field=models.CharField(help_text='如 屈安办函、屈安办通、（屈应急）罚', max_length=20, verbose_name='文号前缀'),
        ),
    ]
